"""Counts for the customer 360 header: contacts, sites, contracts by status, items by status
and by product type. Four grouped statements for any number of customers."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contact import Contact
from clientbase.models.contract import Contract
from clientbase.models.inventory_item import InventoryItem
from clientbase.models.product_type import ProductType
from clientbase.models.site import Site


@dataclass
class Overview:
    contacts: int = 0
    sites: int = 0
    contracts_by_status: Counter[str] = field(default_factory=Counter)
    items_by_status: Counter[str] = field(default_factory=Counter)
    # (product type id, name) -> count
    items_by_product_type: Counter[tuple[uuid.UUID, str]] = field(default_factory=Counter)


async def overviews(session: AsyncSession, customer_ids: Sequence[uuid.UUID]) -> list[Overview]:
    result = {customer_id: Overview() for customer_id in customer_ids}
    ids = list(customer_ids)
    for model, attribute in ((Contact, "contacts"), (Site, "sites")):
        rows = await session.execute(
            select(model.customer_id, func.count())
            .where(model.customer_id.in_(ids))
            .group_by(model.customer_id)
        )
        for customer_id, count in rows:
            setattr(result[customer_id], attribute, int(count))
    contracts = await session.execute(
        select(Contract.customer_id, Contract.status, func.count())
        .where(Contract.customer_id.in_(ids))
        .group_by(Contract.customer_id, Contract.status)
    )
    for customer_id, status, count in contracts:
        result[customer_id].contracts_by_status[status] = int(count)
    items = await session.execute(
        select(InventoryItem.customer_id, InventoryItem.status, ProductType.id, ProductType.name,
               func.count())
        .join(ProductType, ProductType.id == InventoryItem.product_type_id)
        .where(InventoryItem.customer_id.in_(ids))
        .group_by(InventoryItem.customer_id, InventoryItem.status, ProductType.id, ProductType.name)
    )  # fmt: skip
    for customer_id, status, type_id, type_name, count in items:
        overview = result[customer_id]
        overview.items_by_status[status] += int(count)
        overview.items_by_product_type[(type_id, type_name)] += int(count)
    return [result[customer_id] for customer_id in customer_ids]
