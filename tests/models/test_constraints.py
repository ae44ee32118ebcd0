"""The database's own guarantees, exercised as the application role: uniqueness, ownership,
tenant isolation by row-level security, and the append-only audit log."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models import AuditEvent, Contact, Customer, InventoryItem
from tests.helpers import set_tenant
from tests.models.factories import (
    make_contact,
    make_contract,
    make_customer,
    make_item,
    make_product_type,
    make_site,
    make_tenant,
)

INSUFFICIENT_PRIVILEGE = "42501"


async def rejected(db: AsyncSession, statement: Any, error: type[DBAPIError]) -> DBAPIError:
    """Run a statement that must fail, in a savepoint so that the test's transaction survives."""
    with pytest.raises(error) as info:
        async with db.begin_nested():
            await db.execute(statement)
    return info.value


def constraint_of(exc: DBAPIError) -> str | None:
    # asyncpg names the violated constraint; checking it proves which rule did the rejecting.
    return getattr(exc.driver_exception, "constraint_name", None)


async def test_customer_code_is_unique_per_tenant(db: AsyncSession) -> None:
    tenant_a = await make_tenant(db)
    await make_customer(db, tenant_a, code="C-001")

    duplicate = insert(Customer).values(
        tenant_id=tenant_a, code="C-001", kind="COMPANY", legal_name="Other", name_key="other"
    )
    exc = await rejected(db, duplicate, IntegrityError)
    assert constraint_of(exc) == "uq_customer_tenant_id_code"

    tenant_b = await make_tenant(db)
    await make_customer(db, tenant_b, code="C-001")


async def test_contact_email_is_unique_per_tenant_ignoring_case(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    first, second = await make_customer(db, tenant), await make_customer(db, tenant)
    await make_contact(db, tenant, first, email="ada@example.com")

    duplicate = insert(Contact).values(
        tenant_id=tenant, customer_id=second, full_name="Ada L.", email="ADA@Example.com"
    )
    exc = await rejected(db, duplicate, IntegrityError)
    assert constraint_of(exc) == "uq_contact_tenant_id_lower_email"

    other_tenant = await make_tenant(db)
    await make_contact(
        db, other_tenant, await make_customer(db, other_tenant), email="ada@example.com"
    )


async def test_a_customer_has_at_most_one_primary_contact(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    customer = await make_customer(db, tenant)
    await make_contact(db, tenant, customer, is_primary=True)
    await make_contact(db, tenant, customer, is_primary=False)

    second_primary = insert(Contact).values(
        tenant_id=tenant, customer_id=customer, full_name="Bob", is_primary=True
    )
    exc = await rejected(db, second_primary, IntegrityError)
    assert constraint_of(exc) == "uq_contact_customer_id_is_primary"


async def test_site_name_is_unique_per_customer(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    first, second = await make_customer(db, tenant), await make_customer(db, tenant)
    await make_site(db, tenant, first, name="Head office")

    with pytest.raises(IntegrityError) as info:
        async with db.begin_nested():
            await make_site(db, tenant, first, name="Head office")
    assert constraint_of(info.value) == "uq_site_customer_id_name"

    await make_site(db, tenant, second, name="Head office")


async def test_contract_number_is_unique_per_tenant(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    first, second = await make_customer(db, tenant), await make_customer(db, tenant)
    await make_contract(db, tenant, first, number="K-2024-1")

    # Not merely per customer: the number identifies the contract within the tenant.
    with pytest.raises(IntegrityError) as info:
        async with db.begin_nested():
            await make_contract(db, tenant, second, number="K-2024-1")
    assert constraint_of(info.value) == "uq_contract_tenant_id_number"

    other_tenant = await make_tenant(db)
    await make_contract(db, other_tenant, await make_customer(db, other_tenant), number="K-2024-1")


async def test_serial_number_is_unique_per_tenant_and_product_type(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    customer = await make_customer(db, tenant)
    router, licence = await make_product_type(db, tenant), await make_product_type(db, tenant)
    await make_item(db, tenant, customer, product_type_id=router, serial_number="SN-42")

    with pytest.raises(IntegrityError) as info:
        async with db.begin_nested():
            await make_item(db, tenant, customer, product_type_id=router, serial_number="SN-42")
    assert constraint_of(info.value) == "uq_inventory_item_tenant_id_product_type_id_serial_number"

    await make_item(db, tenant, customer, product_type_id=licence, serial_number="SN-42")


@pytest.mark.parametrize(
    ("foreign", "constraint"),
    [
        ("contract", "fk_inventory_item_customer_id_contract_id_contract"),
        ("site", "fk_inventory_item_customer_id_site_id_site"),
    ],
)
async def test_item_contract_and_site_must_belong_to_its_customer(
    db: AsyncSession, foreign: str, constraint: str
) -> None:
    tenant = await make_tenant(db)
    owner, stranger = await make_customer(db, tenant), await make_customer(db, tenant)
    values = {
        "tenant_id": tenant,
        "customer_id": owner,
        "serial_number": "SN-1",
        "product_type_id": await make_product_type(db, tenant),
        "contract_id": await make_contract(db, tenant, owner),
        "site_id": await make_site(db, tenant, owner),
    }
    if foreign == "contract":
        values["contract_id"] = await make_contract(db, tenant, stranger)
    else:
        values["site_id"] = await make_site(db, tenant, stranger)

    exc = await rejected(db, insert(InventoryItem).values(**values), IntegrityError)
    assert constraint_of(exc) == constraint


async def test_reference_to_another_tenants_row_is_rejected(db: AsyncSession) -> None:
    # Foreign-key checks bypass row-level security; tenant_id in the key is what stops this.
    tenant_a = await make_tenant(db)
    customer_of_a = await make_customer(db, tenant_a)
    tenant_b = await make_tenant(db)

    contact = insert(Contact).values(tenant_id=tenant_b, customer_id=customer_of_a, full_name="X")
    exc = await rejected(db, contact, IntegrityError)
    assert constraint_of(exc) == "fk_contact_tenant_id_customer_id_customer"


async def test_customer_with_inventory_cannot_be_deleted(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    customer = await make_customer(db, tenant)
    await make_item(db, tenant, customer)

    exc = await rejected(db, delete(Customer).where(Customer.id == customer), IntegrityError)
    assert constraint_of(exc) == "fk_inventory_item_tenant_id_customer_id_customer"


async def test_customer_without_inventory_is_deleted_with_its_contacts(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    customer = await make_customer(db, tenant)
    await make_contact(db, tenant, customer)
    await make_site(db, tenant, customer)

    await db.execute(delete(Customer).where(Customer.id == customer))
    assert await db.scalar(select(func.count()).select_from(Contact)) == 0


async def test_other_tenants_rows_are_invisible(db: AsyncSession) -> None:
    tenant_a = await make_tenant(db)
    await make_customer(db, tenant_a)
    tenant_b = await make_tenant(db)
    mine = await make_customer(db, tenant_b)

    assert list(await db.scalars(select(Customer.id))) == [mine]
    await set_tenant(db, None)
    assert await db.scalar(select(func.count()).select_from(Customer)) == 0


async def test_row_for_another_tenant_is_rejected_by_the_policy(db: AsyncSession) -> None:
    tenant_a = await make_tenant(db)
    await make_tenant(db)  # now tenant B is the session's tenant

    smuggled = insert(Customer).values(
        tenant_id=tenant_a, code="C-X", kind="COMPANY", legal_name="Smuggled"
    )
    exc = await rejected(db, smuggled, DBAPIError)
    assert getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE


async def test_audit_events_are_append_only_for_the_app(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    event_id = uuid.uuid4()
    await db.execute(
        insert(AuditEvent).values(
            id=event_id,
            tenant_id=tenant,
            actor_kind="SYSTEM",
            action="customer.create",
            entity_type="customer",
            entity_id=uuid.uuid4(),
            changes={"code": [None, "C-1"]},
        )
    )
    assert await db.scalar(select(AuditEvent.action).where(AuditEvent.id == event_id))

    for statement in (
        update(AuditEvent).where(AuditEvent.id == event_id).values(action="customer.delete"),
        delete(AuditEvent).where(AuditEvent.id == event_id),
    ):
        exc = await rejected(db, statement, DBAPIError)
        assert getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE
