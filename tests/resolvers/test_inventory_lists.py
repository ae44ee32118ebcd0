"""Inventory lists: typed and relation filters, and/or/not, keyword search, order, and a fixed
number of SQL statements per page whatever its size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from clientbase import models
from clientbase.core.db import Database
from tests.conftest import StatementCounter
from tests.helpers import gql
from tests.resolvers.test_inventory import World, add_items, make_world

LIST = """query($filter: InventoryItemFilter, $search: String, $orderBy: [InventoryItemOrder!],
               $first: Int, $after: String) {
  inventoryItems(filter: $filter, search: $search, orderBy: $orderBy, first: $first,
                 after: $after) {
    totalCount nodes { serialNumber } pageInfo { hasNextPage endCursor } } }"""

# serial: (customer, contract, site, product type, description, notes, status)
ITEMS = {
    "RT-1001": ("acme", "acme_k1", "acme_hq", "router", "Edge router", None, "ACTIVE"),
    "FB-2001": (
        "acme",
        "acme_k2",
        "acme_plant",
        "fiber",
        "100 Mbps link",
        "Núcleo norte",
        "ACTIVE",
    ),
    "RT-1002": ("globex", "globex_k", "globex_hq", "router", None, "spare_unit", "ACTIVE"),
    "FB-2002": ("globex", "globex_k", "globex_hq", "fiber", None, None, "RETURNED"),
}


async def _seeded(database: Database) -> World:
    world = await make_world(database)
    t, r = world.caller.tenant_id, world.rows
    async with database.session(t) as session:
        for serial, (customer, contract, site, kind, description, notes, status) in ITEMS.items():
            session.add(models.InventoryItem(
                tenant_id=t, customer_id=r[customer], contract_id=r[contract], site_id=r[site],
                product_type_id=r[kind], serial_number=serial, description=description,
                notes=notes, status=status))  # fmt: skip
        await session.commit()
    return world


async def _serials(client: httpx.AsyncClient, world: World, **variables: Any) -> list[str]:
    data = await gql(client, world.caller, LIST, variables)
    return [node["serialNumber"] for node in data["inventoryItems"]["nodes"]]


async def test_filters(client: httpx.AsyncClient, database: Database) -> None:
    world = await _seeded(database)

    async def serials(filter: dict[str, Any]) -> list[str]:
        return await _serials(client, world, filter=filter)

    assert await serials({"customer": {"code": {"eq": "ACME"}}}) == ["FB-2001", "RT-1001"]
    assert await serials({"customer": {"legalName": {"contains": "globex"}}}) == [
        "FB-2002",
        "RT-1002",
    ]
    assert await serials({"customer": {"id": {"eq": world.gid("globex")}}}) == [
        "FB-2002",
        "RT-1002",
    ]
    assert await serials({"productType": {"name": {"contains": "ROUTER"}}}) == [
        "RT-1001",
        "RT-1002",
    ]
    assert await serials({"contract": {"status": {"eq": "EXPIRED"}}}) == ["FB-2001"]
    assert await serials({"contract": {"number": {"startsWith": "k-globex"}}}) == [
        "FB-2002",
        "RT-1002",
    ]
    assert await serials({"site": {"name": {"eq": "Acme Plant"}}}) == ["FB-2001"]
    assert await serials({"status": {"in": ["RETURNED"]}}) == ["FB-2002"]
    assert await serials({"serialNumber": {"startsWith": "rt-"}}) == ["RT-1001", "RT-1002"]
    assert await serials({"notes": {"isNull": True}, "description": {"isNull": True}}) == [
        "FB-2002"
    ]
    either = {"or": [{"customer": {"code": {"eq": "GLOBEX"}}},
                     {"contract": {"status": {"eq": "EXPIRED"}}}]}  # fmt: skip
    assert await serials(either) == ["FB-2001", "FB-2002", "RT-1002"]
    assert await serials({"not": either}) == ["RT-1001"]
    both = {"and": [{"productType": {"name": {"startsWith": "fiber"}}},
                    {"not": {"status": {"eq": "RETURNED"}}}]}  # fmt: skip
    assert await serials(both) == ["FB-2001"]
    today = dt.datetime.now(dt.UTC).date()
    assert len(await serials({"createdAt": {"gte": str(today - dt.timedelta(days=1))}})) == 4
    assert await serials({"createdAt": {"lt": "2000-01-01"}}) == []
    assert await serials({"notes": {"contains": "_"}}) == ["RT-1002"]  # LIKE escaped


async def test_search_and_order(client: httpx.AsyncClient, database: Database) -> None:
    world = await _seeded(database)
    assert await _serials(client, world, search="1002") == ["RT-1002"]
    assert await _serials(client, world, search="fiber") == ["FB-2001", "FB-2002"]
    assert await _serials(client, world, search="nucleo") == ["FB-2001"]  # notes, accents
    assert await _serials(client, world, search="EDGE") == ["RT-1001"]  # description
    assert await _serials(client, world, search="router") == ["RT-1001", "RT-1002"]
    assert await _serials(
        client, world, search="router", filter={"customer": {"code": {"eq": "GLOBEX"}}}
    ) == ["RT-1002"]
    by_serial_desc = [{"field": "SERIAL_NUMBER", "direction": "DESC"}]
    assert await _serials(client, world, orderBy=by_serial_desc) == [
        "RT-1002",
        "RT-1001",
        "FB-2002",
        "FB-2001",
    ]
    by_status = [{"field": "STATUS", "direction": "DESC"}, {"field": "SERIAL_NUMBER"}]
    assert (await _serials(client, world, orderBy=by_status))[0] == "FB-2002"

    seen, after = [], None
    while True:
        data = await gql(client, world.caller, LIST, {"first": 3, "after": after})
        page = data["inventoryItems"]
        assert page["totalCount"] == 4
        seen += [node["serialNumber"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(ITEMS)


PAGE = {
    "query": """{ inventoryItems(first: 50) { totalCount nodes {
  serialNumber customer { code } productType { name } site { name } contract { number }
  replacedBy { id } replaces { id } history(first: 5) { nodes { action } } } } }"""
}


async def test_a_page_costs_the_same_statements_for_2_or_20_items(
    client: httpx.AsyncClient, database: Database, count_statements: StatementCounter
) -> None:
    costs = []
    for size in (2, 20):
        world = await make_world(database)
        await add_items(database, world, size)
        headers = world.caller.headers
        await client.post("/graphql", json=PAGE, headers=headers)  # warm the pool and caches
        count_statements.reset()
        response = await client.post("/graphql", json=PAGE, headers=headers)
        costs.append(count_statements.count)
        body = response.json()
        assert "errors" not in body, body
        assert len(body["data"]["inventoryItems"]["nodes"]) == size
    assert costs[0] == costs[1], count_statements.statements
