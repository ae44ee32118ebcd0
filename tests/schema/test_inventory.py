"""`items_of`, the inventory connection other types embed: per parent, filtered and searched,
one statement for the pages of all parents and one for their counts."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import strawberry
from sqlalchemy import select

from clientbase.core.db import Database
from clientbase.schema.common import Connection, page_request
from clientbase.schema.context import Context
from clientbase.schema.ids import from_global_id
from clientbase.schema.inventory import InventoryItem, InventoryItemFilter, items_of
from clientbase.schema.lists import Info
from clientbase.services.auth.principal import Principal, Role
from tests.conftest import StatementCounter
from tests.resolvers.test_inventory import add_items, make_world


@strawberry.type
class Query:
    @strawberry.field
    async def inventories(
        self, info: Info, parent: str, ids: list[strawberry.ID], first: int = 10,
        filter: InventoryItemFilter | None = None, search: str | None = None,
    ) -> list[Connection[InventoryItem]]:  # fmt: skip
        page = page_request(first)
        return list(await asyncio.gather(*(
            items_of(info, parent, from_global_id(i)[1], page, filter, search) for i in ids
        )))  # fmt: skip


SCHEMA = strawberry.Schema(query=Query)
QUERY = """query($parent: String!, $ids: [ID!]!, $filter: InventoryItemFilter, $search: String) {
  inventories(parent: $parent, ids: $ids, first: 3, filter: $filter, search: $search) {
    totalCount nodes { serialNumber } pageInfo { hasNextPage } } }"""


async def test_items_of_each_parent_in_one_statement(
    database: Database, count_statements: StatementCounter
) -> None:
    world = await make_world(database)
    await add_items(database, world, 9)  # 5 at Acme (its HQ, contract K-ACME-1), 4 at Globex
    principal = Principal(world.caller.tenant_id, Role.READER, "SYSTEM", "tests", "tests")

    async def run(parent: str, labels: list[str], **variables: Any) -> list[Any]:
        async with database.session(world.caller.tenant_id) as session:
            await session.execute(select(1))  # the transaction and its tenant binding
            context = Context(request=cast(Any, None), response=cast(Any, None),
                              session=session, principal=principal)  # fmt: skip
            count_statements.reset()
            ids = [world.gid(label) for label in labels]
            result = await SCHEMA.execute(QUERY, {"parent": parent, "ids": ids, **variables},
                                          context_value=context)  # fmt: skip
        assert result.errors is None, result.errors
        assert result.data is not None
        return list(result.data["inventories"])

    pages = await run("customer", ["acme", "globex"])
    assert count_statements.count == 2, count_statements.statements  # pages, then counts
    assert [p["totalCount"] for p in pages] == [5, 4]
    assert [n["serialNumber"] for n in pages[0]["nodes"]] == ["BULK-000", "BULK-002", "BULK-004"]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True, True]

    by_site = await run("site", ["acme_hq", "acme_plant", "globex_hq"], search="bulk-00")
    assert [p["totalCount"] for p in by_site] == [5, 0, 4]
    by_contract = await run("contract", ["acme_k1", "globex_k"],
                            filter={"serialNumber": {"in": ["BULK-001", "BULK-002"]}})  # fmt: skip
    assert [[n["serialNumber"] for n in p["nodes"]] for p in by_contract] == [
        ["BULK-002"],
        ["BULK-001"],
    ]
