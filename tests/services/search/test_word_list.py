"""The word list's triggers never make two writers wait on each other's new words."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import insert, text

from clientbase.core.db import Database
from clientbase.models import Customer
from tests.helpers import committed_tenant


async def test_writers_adding_the_same_new_words_do_not_wait(database: Database) -> None:
    tenant = (await committed_tenant(database)).tenant_id

    def customer(name: str) -> object:
        return insert(Customer).values(tenant_id=tenant, code=f"W-{uuid.uuid4().hex[:8]}",
                                       kind="COMPANY", legal_name=name, name_key=name)  # fmt: skip

    first, second = uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]
    async with database.session(tenant) as one, database.session(tenant) as two:
        # Each takes a new word, then the other's: with a unique index on the list the
        # third insert waited for the second writer, and the fourth deadlocked.
        for session, name in ((one, f"alfa{first}"), (two, f"beta{second}"),
                              (one, f"beta{second}"), (two, f"alfa{first}")):  # fmt: skip
            await asyncio.wait_for(session.execute(customer(name)), timeout=5)
        await one.commit()
        await two.commit()
    async with database.session(tenant) as session:
        words = (await session.execute(text("SELECT word FROM search_word"))).scalars().all()
    assert sorted(set(words)) == [f"alfa{first}", f"beta{second}"]
