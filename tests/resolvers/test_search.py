"""customerSearch: every matching path, the ranking, typos, tenancy, merged customers, limits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from clientbase import models
from clientbase.core.db import Database
from clientbase.schema.ids import from_global_id
from tests.helpers import TenantWithKey, gql, gql_errors
from tests.resolvers.test_normalisation import tenant_in

SEARCH = """query($q: String!, $first: Int) { customerSearch(query: $q, first: $first) {
  customer { code legalName } matchedOn score } }"""
CREATE = """mutation($input: CustomerCreateInput!) { customerCreate(input: $input) {
  customer { id } userErrors { field code message } } }"""

CUSTOMERS: list[dict[str, Any]] = [
    {"code": "C-0001", "legalName": "Padaria São João Ltda", "tradeName": "Pão Quente",
     "taxId": "11.222.333/0001-81", "taxIdCountry": "BR", "phone": "(11) 98765-4321",
     "email": "compras@padaria-sj.com.br",
     "contacts": [{"fullName": "Maria Conceição Araújo", "email": "maria.araujo@gmail.com",
                   "phone": "(21) 99876-5432"}]},
    {"code": "C-0002", "legalName": "Padaria Santa Luzia ME", "phone": "+55 31 3222-1100"},
    {"code": "P-1", "legalName": "Padaria", "kind": "PERSON", "taxId": "123.456.789-09",
     "taxIdCountry": "BR"},
    {"code": "UNI-9", "legalName": "Panificadora Padarias Unidas S.A."},
    {"code": "AV-77", "legalName": "Ávila Comércio de Alimentos S.A.", "email": "avila@avila.es",
     "taxId": "B12345674", "taxIdCountry": "ES"},
]  # fmt: skip


@pytest.fixture(scope="module")
async def world(app: Starlette, database_for_module: Database) -> TenantWithKey:
    """One tenant with the customers above, and a merged one; built once for the module."""
    caller = await tenant_in(database_for_module, "BR")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for data in CUSTOMERS:
            made = (await gql(client, caller, CREATE, {"input": data}))["customerCreate"]
            assert made["userErrors"] == [], made
        merged = {"code": "M-1", "legalName": "Padaria São João Velha"}
        gone = (await gql(client, caller, CREATE, {"input": merged}))["customerCreate"]
    survivor = (await _ids(database_for_module, caller))["C-0001"]
    async with database_for_module.session(caller.tenant_id) as session:
        await session.execute(
            update(models.Customer)
            .where(models.Customer.id == from_global_id(gone["customer"]["id"])[1])
            .values(status="MERGED", merged_into_id=survivor)
        )
        await session.commit()
    return caller


async def _ids(database: Database, caller: TenantWithKey) -> dict[str, uuid.UUID]:
    async with database.session(caller.tenant_id) as session:
        rows = await session.execute(models.Customer.__table__.select())
        return {row.code: row.id for row in rows}


@pytest.fixture(scope="module")
async def database_for_module(stack: Any) -> AsyncIterator[Database]:
    database = Database(stack.app_url, pool_size=2, max_overflow=0)
    yield database
    await database.dispose()


async def search(client: httpx.AsyncClient, caller: TenantWithKey, q: str,
                 first: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
    data = await gql(client, caller, SEARCH, {"q": q, "first": first})
    return data["customerSearch"]  # type: ignore[no-any-return]


def _best(hits: list[dict[str, Any]]) -> tuple[str, list[str]]:
    assert hits, "nothing found"
    return hits[0]["customer"]["code"], hits[0]["matchedOn"]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("Padaria São João", "C-0001", "legalName"),  # with accents
        ("padaria sao joao", "C-0001", "legalName"),  # without
        ("PADARIA SÃO JOÃO LTDA.", "C-0001", "legalName"),  # case, punctuation, legal form
        ("pão quente", "C-0001", "tradeName"),
        ("pao q", "C-0001", "tradeName"),
        ("c-0001", "C-0001", "code"),
        ("C0001", "C-0001", "code"),  # punctuation-blind
        ("av-7", "AV-77", "code"),  # prefix
        ("11.222.333/0001-81", "C-0001", "taxId"),  # with punctuation
        ("11222333000181", "C-0001", "taxId"),  # without
        ("11.222.333", "C-0001", "taxId"),  # a prefix
        ("123.456.789-09", "P-1", "taxId"),
        ("ES B-1234567-4", "AV-77", "taxId"),  # with its VAT prefix
        ("+55 11 98765-4321", "C-0001", "phone"),  # in full
        ("(11) 98765", "C-0001", "phone"),  # national format, partial
        ("98765-4321", "C-0001", "phone"),  # without the area code
        ("4321", "C-0001", "phone"),  # the last four digits
        ("0055 31 3222", "C-0002", "phone"),
        ("COMPRAS@padaria-sj.com.br", "C-0001", "email"),
        ("compras@padaria", "C-0001", "email"),
        ("avila@", "AV-77", "email"),
        ("maria conceicao araujo", "C-0001", "contactName"),
        ("Conceição", "C-0001", "contactName"),  # a word in the middle
        ("maria.araujo@gmail", "C-0001", "contactEmail"),
        ("99876-5432", "C-0001", "contactPhone"),
        ("(21) 9987", "C-0001", "contactPhone"),
    ],
)
async def test_each_matching_path(
    client: httpx.AsyncClient, world: TenantWithKey, query: str, code: str, field: str
) -> None:
    hits = await search(client, world, query)
    found = {hit["customer"]["code"]: hit["matchedOn"] for hit in hits}
    assert code in found, (query, hits)
    assert field in found[code], (query, found[code])


async def test_exact_then_prefix_then_similar(
    client: httpx.AsyncClient, world: TenantWithKey
) -> None:
    hits = await search(client, world, "padaria")
    codes = [hit["customer"]["code"] for hit in hits]
    scores = [hit["score"] for hit in hits]
    assert codes[0] == "P-1" and scores[0] == 1.0  # exact key
    assert set(codes[1:3]) == {"C-0001", "C-0002"}  # prefixes
    assert all(0.6 <= score < 1.0 for score in scores[1:3])
    assert codes[3] == "UNI-9" and scores[3] <= 0.5  # a similar word inside the name
    assert scores == sorted(scores, reverse=True)
    exact = await search(client, world, "11222333000181")
    assert exact[0]["score"] == 1.0 and exact[0]["matchedOn"] == ["taxId"]


async def test_typos_are_tolerated(client: httpx.AsyncClient, world: TenantWithKey) -> None:
    assert _best(await search(client, world, "padria sao joao"))[0] == "C-0001"
    assert _best(await search(client, world, "avla comercio"))[0] == "AV-77"
    assert _best(await search(client, world, "maria conceicao arauj"))[0] == "C-0001"
    # A word mistaken for another listed one ("luzio" ~ "luzia"): the others still find it.
    assert _best(await search(client, world, "padaria sao joao luzio"))[0] == "C-0001"


async def test_what_it_matched_on_is_listed_best_first(
    client: httpx.AsyncClient, world: TenantWithKey
) -> None:
    hits = await search(client, world, "padaria sao joao")
    assert hits[0]["matchedOn"][0] == "legalName"
    assert len(set(hits[0]["matchedOn"])) == len(hits[0]["matchedOn"])


async def test_merged_customers_and_other_tenants_are_not_found(
    client: httpx.AsyncClient, database: Database, world: TenantWithKey
) -> None:
    codes = {hit["customer"]["code"] for hit in await search(client, world, "padaria sao joao")}
    assert "M-1" not in codes
    stranger = await tenant_in(database, "BR")
    for query in ("padaria", "C-0001", "11222333000181", "98765-4321", "compras@padaria"):
        assert await search(client, stranger, query) == [], query


async def test_limits(client: httpx.AsyncClient, world: TenantWithKey) -> None:
    for short in ("pa", " p ", "", "ab  "):
        assert await search(client, world, short) == [], short
    assert len(await search(client, world, "pad")) >= 4  # three letters already find
    assert len(await search(client, world, "padaria", first=2)) == 2
    assert await search(client, world, "padaria", first=0) == []
    errors = await gql_errors(client, world, SEARCH, {"q": "padaria", "first": 21})
    assert errors[0]["message"] == "`first` is at most 20 in a search, got 21."


async def test_a_query_with_no_usable_key_finds_nothing(
    client: httpx.AsyncClient, world: TenantWithKey
) -> None:
    assert await search(client, world, "& G") == []  # its name key is one letter
