"""Customer lists: typed filters, and/or/not, relation filters, order with tie-breaker, search."""

from __future__ import annotations

import httpx

from clientbase.core.db import Database
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql

LIST = """query($filter: CustomerFilter, $orderBy: [CustomerOrder!], $search: String, $first: Int) {
  customers(filter: $filter, orderBy: $orderBy, search: $search, first: $first) {
    totalCount nodes { code } } }"""


async def _seed(client: httpx.AsyncClient, admin: TenantWithKey) -> None:
    category = await gql(
        client,
        admin,
        'mutation { customerCategoryCreate(input: {name: "Retail"}) { customerCategory { id } } }',
    )
    retail = category["customerCategoryCreate"]["customerCategory"]["id"]
    rows = [
        {"code": "A1", "legalName": "Ávila Comércio Ltda", "categoryId": retail, "email": "a@avila.br"},
        {"code": "A2", "legalName": "Ávila Serviços S.A.", "kind": "COMPANY"},
        {"code": "B1", "legalName": "Bruno Souza", "kind": "PERSON", "birthDate": "1980-05-04",
         "categoryId": retail},
        {"code": "B2", "legalName": "Banco Zeta", "tradeName": None},
    ]  # fmt: skip
    for row in rows:
        made = await gql(
            client,
            admin,
            "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { userErrors { message } } }",
            {"i": row},
        )
        assert made["customerCreate"]["userErrors"] == []


async def _codes(
    client: httpx.AsyncClient, caller: TenantWithKey, **variables: object
) -> list[str]:
    data = await gql(client, caller, LIST, variables)
    return [node["code"] for node in data["customers"]["nodes"]]


async def test_filters(client: httpx.AsyncClient, database: Database) -> None:
    admin = await committed_tenant(database, Role.ADMIN)
    await _seed(client, admin)
    assert await _codes(client, admin, filter={"code": {"startsWith": "a"}}) == ["A1", "A2"]
    assert await _codes(client, admin, filter={"legalName": {"contains": "serviços"}}) == ["A2"]
    assert await _codes(client, admin, filter={"code": {"in": ["B2", "A1"]}}) == ["A1", "B2"]
    assert await _codes(client, admin, filter={"kind": {"eq": "PERSON"}}) == ["B1"]
    assert await _codes(client, admin, filter={"email": {"isNull": False}}) == ["A1"]
    assert await _codes(client, admin, filter={"category": {"name": {"eq": "Retail"}}}) == [
        "A1",
        "B1",
    ]
    assert await _codes(
        client, admin, filter={"birthDate": {"gte": "1980-01-01", "lte": "1980-12-31"}}
    ) == ["B1"]
    either = {"or": [{"code": {"eq": "A1"}}, {"code": {"eq": "B2"}}]}
    assert await _codes(client, admin, filter=either) == ["A1", "B2"]
    assert await _codes(client, admin, filter={"not": either}) == ["A2", "B1"]
    both = {"and": [{"code": {"startsWith": "B"}}, {"category": {"name": {"eq": "Retail"}}}]}
    assert await _codes(client, admin, filter=both) == ["B1"]
    assert await _codes(client, admin, filter={"code": {"contains": "%"}}) == []  # LIKE escaped


async def test_order_and_search(client: httpx.AsyncClient, database: Database) -> None:
    admin = await committed_tenant(database, Role.ADMIN)
    await _seed(client, admin)
    by_code_desc = [{"field": "CODE", "direction": "DESC"}]
    assert await _codes(client, admin, orderBy=by_code_desc) == ["B2", "B1", "A2", "A1"]
    # Byte order for now: the accent-blind name key of the search work will order names.
    by_name = [{"field": "LEGAL_NAME"}]
    assert await _codes(client, admin, orderBy=by_name, filter={"code": {"startsWith": "B"}}) == [
        "B2",
        "B1",
    ]
    assert await _codes(client, admin, search="zeta") == ["B2"]
    data = await gql(client, admin, LIST, {"first": 1, "search": "ávila"})
    assert data["customers"]["totalCount"] == 2 and len(data["customers"]["nodes"]) == 1
