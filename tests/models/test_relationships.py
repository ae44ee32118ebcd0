"""ORM mapping: relationships load only when asked (lazy="raise") and the version counter works."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from clientbase.models import Customer, CustomerCategory, InventoryItem
from tests.models.factories import make_customer, make_item, make_tenant


async def test_relationships_raise_unless_loaded(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    customer = await make_customer(db, tenant)
    item_id = await make_item(db, tenant, customer, serial_number="SN-7")

    item = await db.get_one(InventoryItem, item_id)
    with pytest.raises(InvalidRequestError):
        _ = item.contract

    options = [
        selectinload(getattr(InventoryItem, name))
        for name in ("customer", "contract", "site", "product_type")
    ]
    loaded = await db.scalar(
        select(InventoryItem)
        .where(InventoryItem.id == item_id)
        .options(*options)
        .execution_options(populate_existing=True)
    )
    assert loaded is not None
    assert (loaded.customer.id, loaded.contract.customer_id, loaded.site.customer_id) == (
        customer,
        customer,
        customer,
    )
    assert loaded.product_type.id == loaded.product_type_id


async def test_orm_insert_and_versioned_update(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    category = CustomerCategory(tenant_id=tenant, name="Key account")
    customer = Customer(
        tenant_id=tenant,
        code="C-ORM",
        kind="PERSON",
        legal_name="Ada",
        name_key="ada",
        category=category,
    )
    db.add(customer)
    await db.flush()
    assert (customer.version, customer.status, customer.custom_fields) == (1, "ACTIVE", {})
    assert customer.category_id == category.id

    created_at = customer.created_at
    customer.legal_name = "Ada Lovelace"
    await db.flush()
    # Readable without a lazy load: the UPDATE returned it (eager_defaults).
    assert "updated_at" not in inspect(customer).expired_attributes
    assert customer.updated_at >= created_at
    assert customer.version == 2
