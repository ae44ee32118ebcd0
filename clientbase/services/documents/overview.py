"""Customer.overview as JSON built in PostgreSQL: the same counts and orders as
services.customer.overview and schema.overview give."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, inspect, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from clientbase.models.contact import Contact
from clientbase.models.contract import Contract
from clientbase.models.inventory_item import InventoryItem
from clientbase.models.product_type import ProductType
from clientbase.models.site import Site
from clientbase.services.documents import plan as p
from clientbase.services.documents.json_sql import global_id, sql_string

COUNTED: dict[str, Any] = {
    "contacts": Contact,
    "sites": Site,
    "contracts": Contract,
    "items": InventoryItem,
}


def overview(plan: p.Overview, row: Any) -> ColumnElement[Any]:
    customer_id, parent = row.id, inspect(row).selectable
    arguments: list[Any] = []
    for part in plan.parts:
        arguments.append(sql_string(part.key))
        if isinstance(part, p.Constant):
            arguments.append(sql_string(part.value))
        elif isinstance(part, p.Count):
            model = COUNTED[part.which]
            counted = select(func.count()).where(model.customer_id == customer_id)
            arguments.append(counted.scalar_subquery())
        else:
            arguments.append(_breakdown(part, customer_id, parent))
    return func.json_build_object(*arguments)


def _breakdown(plan: p.Breakdown, customer_id: Any, parent: Any) -> ColumnElement[Any]:
    # LATERAL and correlated: a grouped statement in FROM refers to the customer row.
    count = func.count().label("count")
    if plan.which == "itemsByProductType":
        grouped = (
            select(ProductType.id, ProductType.name, count)
            .join(InventoryItem, InventoryItem.product_type_id == ProductType.id)
            .where(InventoryItem.customer_id == customer_id)
            .group_by(ProductType.id, ProductType.name)
            .correlate(parent)
            .lateral()
        )
        # Most items first, then by name as Python orders text (code points: COLLATE "C").
        order: list[Any] = [grouped.c.count.desc(), grouped.c.name.collate("C"), grouped.c.id]
        columns = {"productTypeId": global_id("ProductType", grouped.c.id),
                   "productTypeName": grouped.c.name, "count": grouped.c.count}  # fmt: skip
    else:
        model = Contract if plan.which == "contractsByStatus" else InventoryItem
        grouped = (
            select(model.status, count)
            .where(model.customer_id == customer_id)
            .group_by(model.status)
            .correlate(parent)
            .lateral()
        )
        order = [grouped.c.status.collate("C")]
        columns = {"status": grouped.c.status, "count": grouped.c.count}
    pairs: list[Any] = []
    for part in plan.parts:
        pairs.append(sql_string(part.key))
        pairs.append(sql_string(part.value) if isinstance(part, p.Constant)
                     else columns[part.column])  # fmt: skip
    gathered = func.json_agg(aggregate_order_by(func.json_build_object(*pairs), *order))
    found = select(func.coalesce(gathered, literal_column("'[]'::json"))).select_from(grouped)
    return found.scalar_subquery()
