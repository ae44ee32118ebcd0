"""Inventory fields: the item list, and create, update, delete, transfer and replace."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.mutation import Outcome, decode_id, run_mutation
from clientbase.schema.common import Connection, DeletePayload, order_pairs, page_request, provided
from clientbase.schema.filters import filter_tree
from clientbase.schema.inventory import (
    InventoryItem,
    InventoryItemCreateInput,
    InventoryItemFilter,
    InventoryItemOrder,
    InventoryItemPayload,
    InventoryItemReplaceInput,
    InventoryItemUpdateInput,
)
from clientbase.schema.lists import Info, root_connection
from clientbase.services import records
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.errors import DomainError
from clientbase.services.inventory import actions, queries
from clientbase.services.inventory import service as inventory

ENTITY = "InventoryItem"
# Input id fields: the type their global ids must name, and the input's field name.
REFERENCES = {
    "customer_id": ("Customer", "customerId"),
    "contract_id": ("Contract", "contractId"),
    "site_id": ("Site", "siteId"),
    "product_type_id": ("ProductType", "productTypeId"),
}


def _data(fields: dict[str, Any]) -> dict[str, Any]:
    """Input fields (python names) as service data: global ids decoded, all bad ids at once."""
    data = dict(fields)
    errors: list[DomainError] = []
    for key, (type_name, field) in REFERENCES.items():
        if data.get(key) is not None:
            try:
                data[key] = decode_id(data[key], type_name, field)
            except DomainError as error:
                errors.append(error)
    records.collect(*errors)
    return data


def _fields(input: Any) -> dict[str, Any]:
    return {name: getattr(input, name) for name in input.__dataclass_fields__}


def _payload(outcome: Outcome[models.InventoryItem]) -> InventoryItemPayload:
    item = InventoryItem.from_row(outcome.value) if outcome.value is not None else None
    return InventoryItemPayload(inventory_item=item, user_errors=outcome.errors)


@strawberry.type
class InventoryQueries:
    @strawberry.field(
        description="Inventory items, filtered and ordered; `search` is a keyword filter on "
        "serial number, description, notes and product type name."
    )
    async def inventory_items(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        filter: InventoryItemFilter | None = None, search: str | None = None,
        order_by: list[InventoryItemOrder] | None = None,
    ) -> Connection[InventoryItem]:  # fmt: skip
        return await root_connection(
            info,
            queries.list_query(filter_tree(filter), search),
            queries.sort_keys(order_pairs(order_by)),
            page_request(first, after, last, before),
            InventoryItem.from_row,
        )


@strawberry.type
class InventoryMutations:
    @strawberry.mutation
    async def inventory_item_create(
        self, info: Info, input: InventoryItemCreateInput
    ) -> InventoryItemPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.InventoryItem:
            return await inventory.create(session, actor, _data(_fields(input)))

        return _payload(await run_mutation(info, Role.EDITOR, work))

    @strawberry.mutation
    async def inventory_item_update(
        self, info: Info, id: strawberry.ID, input: InventoryItemUpdateInput,
        expected_version: int | None = None,
    ) -> InventoryItemPayload:  # fmt: skip
        async def work(session: AsyncSession, actor: Principal) -> models.InventoryItem:
            row_id = decode_id(id, ENTITY)
            return await inventory.update(session, actor, row_id, _data(provided(input)),
                                          expected_version)  # fmt: skip

        return _payload(await run_mutation(info, Role.EDITOR, work))

    @strawberry.mutation
    async def inventory_item_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work(session: AsyncSession, actor: Principal) -> None:
            await inventory.delete(session, actor, decode_id(id, ENTITY))

        outcome = await run_mutation(info, Role.EDITOR, work, deleting=True)
        return DeletePayload(deleted_id=None if outcome.errors else id, user_errors=outcome.errors)

    @strawberry.mutation(description="Move the item to another site of the same customer.")
    async def inventory_item_transfer(
        self, info: Info, id: strawberry.ID, site_id: strawberry.ID
    ) -> InventoryItemPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.InventoryItem:
            row_id = decode_id(id, ENTITY)
            return await actions.transfer(session, actor, row_id,
                                          decode_id(site_id, "Site", "siteId"))  # fmt: skip

        # No input object: every problem names a top-level argument.
        return _payload(await run_mutation(info, Role.EDITOR, work, prefix=()))

    @strawberry.mutation(
        description="Device swap: a new item takes the old one's place, which becomes "
        "REPLACED and points to it. Returns the new item."
    )
    async def inventory_item_replace(
        self, info: Info, id: strawberry.ID, input: InventoryItemReplaceInput
    ) -> InventoryItemPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.InventoryItem:
            row_id = decode_id(id, ENTITY)
            return await actions.replace(session, actor, row_id, _data(_fields(input)))

        return _payload(await run_mutation(info, Role.EDITOR, work))
