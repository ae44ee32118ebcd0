"""Blocking: a probe is compared with a bounded handful of customers found through indexes,
never with the whole tenant."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from clientbase.core.db import Database
from clientbase.services import seed
from clientbase.services.dedupe import blocking, repository
from clientbase.services.dedupe import service as dedupe
from clientbase.services.dedupe.record import MatchRecord
from clientbase.services.dedupe.settings import DuplicateSettings
from tests.helpers import committed_tenant
from tests.services.dedupe.helpers import add

SEEDED = 3000
# Each lookup takes at most PER_KEY rows (NEIGHBOURS for the sorted neighbourhood).
MOST_TOUCHED = 12 * repository.PER_KEY


def test_keys_of_a_record() -> None:
    record = MatchRecord(name="padaria sao joao", trade_name="pao quente", tax_id="11222333000181",
                         phones=frozenset({"5511987654321"}), postal_code="01310100",
                         emails=frozenset({"a@b.com"}), kind="PERSON",
                         birth_date=dt.date(1980, 5, 4))  # fmt: skip
    keys = blocking.keys(record)
    assert keys.words == "padaria & sao & joao"
    assert keys.loose_words == "(sao & joao) | (padaria & joao) | (padaria & sao)"
    assert (keys.initial, keys.initial_end) == ("p", "q")
    assert keys.phone_tails == ("12345678",)
    assert blocking.keys(MatchRecord(name="ab cd")).loose_words is None


@pytest.fixture(scope="module")
async def database_for_module(stack: Any) -> AsyncIterator[Database]:
    database = Database(stack.app_url, pool_size=2, max_overflow=0)
    yield database
    await database.dispose()


@pytest.fixture(scope="module")
async def crowd(database_for_module: Database, owner_engine: AsyncEngine) -> dict[str, Any]:
    """A tenant of SEEDED generated customers, plus one bakery and its look-alike names."""
    database = database_for_module
    tenant_id = (await committed_tenant(database)).tenant_id
    await seed.seed_customers(database, tenant_id, SEEDED, writers=1)
    bakery = await add(database, tenant_id, legal_name="Padaria São João Ltda",
                       phone="+55 11 98765-4321", address_postal_code="01310-100",
                       tax_id="11.222.333/0001-81", tax_id_country="BR")  # fmt: skip
    async with owner_engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE customer, contact"))
    return {"tenant_id": tenant_id, "bakery": bakery, "database": database}


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _plan_nodes(child)
    return nodes


@pytest.mark.parametrize(
    ("probe", "reported"),
    [
        ({"legal_name": "PADARIA SAO JOAO", "phone": "011 98765 4321"}, True),
        # A typo and nothing else is found by blocking but too weak to report.
        ({"legal_name": "Padaria Sao Jaoo"}, False),
        ({"legal_name": "Sao Joao Padaria"}, True),
        ({"legal_name": "Pdaria São João", "address_postal_code": "01310100"}, True),
        ({"legal_name": "Outro Nome", "tax_id": "11222333000181", "tax_id_country": "BR"}, True),
    ],
)
async def test_a_probe_touches_few_rows_and_finds_its_match(
    crowd: dict[str, Any], probe: dict[str, Any], reported: bool
) -> None:
    database: Database = crowd["database"]
    record = dedupe.probe_record({"kind": "COMPANY", **probe}, (), "BR")
    keys = blocking.keys(record)
    async with database.session(crowd["tenant_id"]) as session:
        [found] = await repository.blocked(session, [keys])
        params = repository._parameters([keys])
        explained = await session.scalar(
            text("EXPLAIN (ANALYZE, FORMAT JSON) " + repository._CANDIDATES.text), params
        )
        best = [m.customer.id for m in await dedupe.matches(session, record, DuplicateSettings())]
    assert crowd["bakery"] in found
    assert len(found) <= MOST_TOUCHED < SEEDED / 10
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    nodes = _plan_nodes(plan)
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan"
                and n.get("Relation Name") in ("customer", "contact")]  # fmt: skip
    touched = sum(n["Actual Rows"] * n.get("Actual Loops", 1) for n in nodes
                  if n.get("Relation Name") in ("customer", "contact"))  # fmt: skip
    assert touched <= MOST_TOUCHED
    assert best[:1] == ([crowd["bakery"]] if reported else [])


async def test_batches_keep_each_probe_apart(crowd: dict[str, Any]) -> None:
    database: Database = crowd["database"]
    one = dedupe.probe_record({"legal_name": "Padaria São João"}, (), "BR")
    other = dedupe.probe_record({"legal_name": "Nothing Like It Anywhere"}, (), "BR")
    async with database.session(crowd["tenant_id"]) as session:
        first, second = await repository.blocked(session, [blocking.keys(one),
                                                           blocking.keys(other)])  # fmt: skip
    assert crowd["bakery"] in first and crowd["bakery"] not in second
    assert uuid.UUID(int=0) not in first
