"""Small async factories for model tests: Core inserts through the caller's session, ids back.

Each factory inserts into the tenant currently set on the session (row-level security rejects
anything else), so call make_tenant (or set_tenant) first.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models import (
    Contact,
    Contract,
    Customer,
    InventoryItem,
    ProductType,
    Site,
    Tenant,
)
from clientbase.services.normalise import name_key
from tests.helpers import set_tenant


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def make_tenant(db: AsyncSession) -> uuid.UUID:
    """Create a tenant and leave it set on the session (its policy only admits itself)."""
    tenant_id = uuid.uuid4()
    await set_tenant(db, tenant_id)
    await db.execute(insert(Tenant).values(id=tenant_id, slug=_unique("t"), name="Test tenant"))
    return tenant_id


async def _insert(db: AsyncSession, model: Any, **values: Any) -> uuid.UUID:
    result = await db.scalar(insert(model).values(**values).returning(model.id))
    assert result is not None
    return uuid.UUID(str(result))


async def make_customer(db: AsyncSession, tenant_id: uuid.UUID, **values: Any) -> uuid.UUID:
    values = {"code": _unique("C"), "kind": "COMPANY", "legal_name": "Acme Ltd", **values}
    values.setdefault("name_key", name_key(values["legal_name"]))
    return await _insert(db, Customer, tenant_id=tenant_id, **values)


async def make_contact(
    db: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID, **values: Any
) -> uuid.UUID:
    values = {"full_name": "Ada Lovelace", **values}
    return await _insert(db, Contact, tenant_id=tenant_id, customer_id=customer_id, **values)


async def make_site(
    db: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID, **values: Any
) -> uuid.UUID:
    values = {"name": _unique("Site"), **values}
    return await _insert(db, Site, tenant_id=tenant_id, customer_id=customer_id, **values)


async def make_contract(
    db: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID, **values: Any
) -> uuid.UUID:
    values = {"number": _unique("K"), **values}
    return await _insert(db, Contract, tenant_id=tenant_id, customer_id=customer_id, **values)


async def make_product_type(db: AsyncSession, tenant_id: uuid.UUID, **values: Any) -> uuid.UUID:
    values = {"name": _unique("Router"), "kind": "PRODUCT", **values}
    return await _insert(db, ProductType, tenant_id=tenant_id, **values)


async def make_item(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    *,
    contract_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
    product_type_id: uuid.UUID | None = None,
    **values: Any,
) -> uuid.UUID:
    """An inventory item; the contract, site and product type are made for it unless given."""
    values = {
        "serial_number": _unique("SN"),
        "contract_id": contract_id or await make_contract(db, tenant_id, customer_id),
        "site_id": site_id or await make_site(db, tenant_id, customer_id),
        "product_type_id": product_type_id or await make_product_type(db, tenant_id),
        **values,
    }
    return await _insert(db, InventoryItem, tenant_id=tenant_id, customer_id=customer_id, **values)
