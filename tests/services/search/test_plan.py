"""The typeahead uses its indexes as the application role, under row-level security: every
lookup is an index scan, none reads a table; the word list follows the writes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from clientbase.services.search import statements
from clientbase.services.search.probe import probe
from clientbase.services.search.service import key_lookups, word_lookups
from tests.helpers import set_tenant

FILL = [
    "INSERT INTO tenant (id, slug, name) VALUES (CAST(:tenant AS uuid), 'plan-' || md5(CAST(:tenant AS text)), 'Plan')",
    """WITH made AS (
         INSERT INTO customer (tenant_id, code, kind, legal_name, name_key, phone_digits)
         SELECT CAST(:tenant AS uuid), 'P' || i, 'COMPANY', 'Padaria ' || i, md5(i::text) || ' ' || md5((-i)::text),
                '5511' || (900000000 + i)
         FROM generate_series(1, 5000) AS i RETURNING id, tenant_id, legal_name)
       INSERT INTO contact (tenant_id, customer_id, full_name, name_key)
       SELECT tenant_id, id, legal_name, md5(legal_name) FROM made""",
]


@pytest.fixture
async def analysed_tenant(owner_engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    """A committed tenant of 5,000 customers, vacuumed and analysed, as in steady use."""
    tenant = uuid.uuid4()
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
        for sql in FILL:
            await conn.execute(text(sql), {"tenant": tenant})
    autocommit = owner_engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as conn:
        # VACUUM also moves the new rows from the trigram indexes' pending lists into them.
        await conn.execute(text("VACUUM (ANALYZE) customer, contact, search_word"))
    yield tenant
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
        await conn.execute(text("DELETE FROM customer WHERE tenant_id = :t"), {"t": tenant})
        await conn.execute(text("DELETE FROM tenant WHERE id = :t"), {"t": tenant})


KEYS = {
    "padaria sao": ["ix_customer_tenant_id_name_key", "ix_customer_tenant_id_trade_name_key",
                    "ix_contact_tenant_id_name_key"],
    "c-0001": ["ix_customer_tenant_id_code_key", "ix_customer_tenant_id_tax_id_key",
               "ix_customer_tenant_id_email_key", "ix_contact_tenant_id_email_key"],
    "(11) 9876": ["ix_customer_tenant_id_phone_digits",
                  "ix_customer_tenant_id_phone_digits_reversed",
                  "ix_contact_tenant_id_phone_digits", "ix_contact_tenant_id_phone_digits_reversed"],
}  # fmt: skip


async def _plan(db: AsyncSession, tenant: uuid.UUID, stmt: Any) -> str:
    await set_tenant(db, tenant)
    # A table this small is cheaper to read whole; the point is that the indexes can serve.
    await db.execute(text("SET LOCAL enable_seqscan = off"))
    sql = stmt.compile(dialect=db.get_bind().dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(row[0] for row in await db.execute(text(f"EXPLAIN (COSTS OFF) {sql}")))
    assert "Seq Scan" not in plan, plan
    return plan


@pytest.mark.parametrize(("query", "indexes"), KEYS.items())
async def test_every_key_lookup_is_an_index_range(
    analysed_tenant: uuid.UUID, db: AsyncSession, query: str, indexes: list[str]
) -> None:
    found = probe(query, "BR")
    assert found is not None
    lookups, parameters = key_lookups(found)
    stmt = statements.ranked(lookups).params(**parameters, first=20)
    plan = await _plan(db, analysed_tenant, stmt)
    for index in indexes:
        assert index in plan, (index, plan)


async def test_word_lookups_use_the_word_list_and_full_text_indexes(
    analysed_tenant: uuid.UUID, db: AsyncSession
) -> None:
    choices = statements.word_choices(2).params(w0="padria", u0="padrib", w1="sao", u1="sap")
    plan = await _plan(db, analysed_tenant, choices)
    assert "ix_search_word_tenant_id_word" in plan, plan
    assert "Index Cond: (word % 'padria'::text)" in plan, plan
    lookups, parameters = word_lookups("padria sao", [["padaria"], ["sao", "saopaulo"]])
    stmt = statements.ranked(lookups).params(**parameters, first=20)
    plan = await _plan(db, analysed_tenant, stmt)
    for index in ("ix_customer_name_words", "ix_customer_trade_name_words",
                  "ix_contact_name_words"):  # fmt: skip
        assert index in plan, (index, plan)


async def test_the_triggers_keep_the_word_list(
    analysed_tenant: uuid.UUID, db: AsyncSession
) -> None:
    await set_tenant(db, analysed_tenant)
    listed = set((await db.execute(text("SELECT word FROM search_word"))).scalars())
    assert len(listed) > 5000  # every word of the customers' and contacts' keys
    assert all(len(word) >= 3 for word in listed)
    await db.execute(text("UPDATE customer SET trade_name_key = 'quitanda ze' WHERE code = 'P1'"))
    await db.execute(text("UPDATE customer SET trade_name_key = 'quitanda' WHERE code = 'P2'"))
    listed = list((await db.execute(text("SELECT word FROM search_word"))).scalars())
    assert listed.count("quitanda") == 1 and "ze" not in listed
