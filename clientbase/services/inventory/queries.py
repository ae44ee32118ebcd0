"""How inventory items are listed: filterable fields, one-hop relation filters, sort orders,
keyword search, and the reverse lookup of replacements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contract import Contract
from clientbase.models.customer import Customer
from clientbase.models.inventory_item import InventoryItem
from clientbase.models.product_type import ProductType
from clientbase.models.site import Site
from clientbase.services.query.filters import Field, FieldMap, Filter, Relation, compile_filter
from clientbase.services.query.pagination import SortKey

FIELDS: FieldMap = {
    "id": Field(InventoryItem.id, "id"),
    "serial_number": Field(InventoryItem.serial_number),
    "description": Field(InventoryItem.description),
    "notes": Field(InventoryItem.notes),
    "status": Field(InventoryItem.status, "enum"),
    "created_at": Field(InventoryItem.created_at, "date"),
    "customer": Relation(
        {"id": Field(Customer.id, "id"), "code": Field(Customer.code),
         "legal_name": Field(Customer.legal_name)},
        lambda: Customer.id == InventoryItem.customer_id,
    ),
    "product_type": Relation(
        {"id": Field(ProductType.id, "id"), "name": Field(ProductType.name),
         "kind": Field(ProductType.kind, "enum")},
        lambda: ProductType.id == InventoryItem.product_type_id,
    ),
    "contract": Relation(
        {"id": Field(Contract.id, "id"), "number": Field(Contract.number),
         "status": Field(Contract.status, "enum")},
        lambda: Contract.id == InventoryItem.contract_id,
    ),
    "site": Relation(
        {"id": Field(Site.id, "id"), "name": Field(Site.name)},
        lambda: Site.id == InventoryItem.site_id,
    ),
}  # fmt: skip

ORDERS = {
    "SERIAL_NUMBER": (InventoryItem.serial_number, "serial_number"),
    "CREATED_AT": (InventoryItem.created_at, "created_at"),
    "UPDATED_AT": (InventoryItem.updated_at, "updated_at"),
    "STATUS": (InventoryItem.status, "status"),
}


def sort_keys(order_by: list[tuple[str, bool]] | None = None) -> list[SortKey]:
    """`order_by` as (ORDER name, descending) pairs; the id always breaks ties."""
    keys = [SortKey(ORDERS[name][0], ORDERS[name][1], desc) for name, desc in order_by or []]
    if not keys:
        keys = [SortKey(InventoryItem.serial_number, "serial_number")]
    return [*keys, SortKey(InventoryItem.id, "id", keys[-1].descending)]


def _search_clause(search: str) -> Any:
    # What the inventory screen's keyword box looks in: the item's texts and its type's name.
    pattern = {"contains": search}
    return or_(
        compile_filter({"serial_number": pattern}, FIELDS),
        compile_filter({"description": pattern}, FIELDS),
        compile_filter({"notes": pattern}, FIELDS),
        compile_filter({"product_type": {"name": pattern}}, FIELDS),
    )


def list_query(filter_tree: Filter | None = None, search: str | None = None) -> Select[Any]:
    stmt = select(InventoryItem).where(compile_filter(filter_tree, FIELDS))
    if search and search.strip():
        stmt = stmt.where(_search_clause(search.strip()))
    return stmt


async def replaced_items(
    session: AsyncSession, replacement_ids: Sequence[uuid.UUID]
) -> list[InventoryItem | None]:
    """For each replacement id, the item it replaced (None if it replaced nothing), in order."""
    if not replacement_ids:
        return []
    stmt = select(InventoryItem).where(InventoryItem.replaced_by_id.in_(list(replacement_ids)))
    by_replacement = {row.replaced_by_id: row for row in (await session.scalars(stmt)).all()}
    return [by_replacement.get(row_id) for row_id in replacement_ids]
