"""Set-based blocking on real PostgreSQL: a key many customers share pairs neighbours, not
everyone; names with reordered or dropped words meet; other tenants' customers never do."""

from __future__ import annotations

import random
import string
import uuid

from sqlalchemy import text

from clientbase.core.db import Database
from clientbase.services.dedupe import set_blocking
from tests.helpers import committed_tenant
from tests.services.dedupe.helpers import add


def _unrelated_names(count: int, seed: int) -> list[str]:
    r = random.Random(seed)
    return ["".join(r.choice(string.ascii_lowercase) for _ in range(12)).capitalize()
            for _ in range(count)]  # fmt: skip


async def _pairs(database: Database, tenant_id: uuid.UUID) -> set[frozenset[uuid.UUID]]:
    async with database.session(tenant_id) as session:
        count = await set_blocking.build_pairs(session)
        rows = (await session.execute(text(
            "SELECT x.id, y.id FROM scan_pair p JOIN scan_customer x ON x.rank = p.a "
            "JOIN scan_customer y ON y.rank = p.b"))).all()  # fmt: skip
    assert count == len(rows)
    return {frozenset(row) for row in rows}


async def test_a_phone_thirty_customers_share_pairs_each_with_its_neighbours(
    database: Database,
) -> None:
    tenant_id = (await committed_tenant(database)).tenant_id
    names = _unrelated_names(30, seed=3)
    ids = [await add(database, tenant_id, legal_name=name, phone="+55 11 3333-4444")
           for name in names]  # fmt: skip
    found = await _pairs(database, tenant_id)
    # Sorted by name, each meets the WINDOW after it: not the 435 pairs of all with all.
    w, n = set_blocking.WINDOW, len(ids)
    assert len(found) == w * (n - w) + w * (w - 1) // 2
    by_name = [i for _, i in sorted(zip([n.lower() for n in names], ids, strict=True))]
    for position, customer in enumerate(by_name):
        mine = {other for pair in found if customer in pair for other in pair - {customer}}
        near = set(by_name[max(0, position - w) : position + w + 1]) - {customer}
        assert mine == near


async def test_names_with_reordered_or_dropped_words_meet_among_strangers(
    database: Database,
) -> None:
    tenant_id = (await committed_tenant(database)).tenant_id
    for name in _unrelated_names(120, seed=5):
        await add(database, tenant_id, legal_name=name)
    first = await add(database, tenant_id, legal_name="Padaria Estrela Dourada do Norte")
    reordered = await add(database, tenant_id, legal_name="Estrela Dourada do Norte Padaria")
    dropped = await add(database, tenant_id, legal_name="Padaria Estrela do Norte")
    other = await committed_tenant(database)
    elsewhere = await add(database, other.tenant_id, legal_name="Padaria Estrela Dourada do Norte")
    found = await _pairs(database, tenant_id)
    assert frozenset((first, reordered)) in found
    assert frozenset((first, dropped)) in found
    assert not any(elsewhere in pair for pair in found)
    # Strangers with unrelated names are not paired by the name families.
    assert len(found) <= 3 * 2 * set_blocking.WINDOW
