"""Contact, site and contract services as customerCreate calls them: nested paths, one
transaction, checks on raw input."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models import AuditEvent, Contact
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.contact import service as contacts
from clientbase.services.contract import service as contracts
from clientbase.services.errors import DomainError, ErrorCode
from clientbase.services.site import service as sites
from tests.models.factories import make_customer, make_tenant


def _actor(tenant_id: uuid.UUID) -> Principal:
    return Principal(tenant_id, Role.EDITOR, "SYSTEM", "tests", "child service tests")


def _problems(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[tuple[str, ...], str]]:
    return {(p.field, p.code.value) for p in error.value.problems}


def test_checks_take_raw_input_as_customer_create_gives_it() -> None:
    contacts.check({"first_name": " Ada ", "email": " Ada@Example.com "}, creating=True)
    sites.check({"name": "HQ", "address_country": "BR"}, creating=True)
    contracts.check({"number": "K-1", "status": "ACTIVE"}, creating=True)
    with pytest.raises(DomainError) as error:
        contacts.check({"full_name": None, "email": "a b@c"}, creating=True)
    assert _problems(error) == {(("fullName",), "REQUIRED"), (("email",), "INVALID")}
    with pytest.raises(DomainError) as error:
        contracts.check({"number": "K", "status": "GONE", "starts_on": dt.date(2024, 2, 1),
                         "ends_on": dt.date(2024, 1, 1)}, creating=True)  # fmt: skip
    assert _problems(error) == {(("status",), "INVALID"), (("endsOn",), "INVALID")}
    with pytest.raises(DomainError) as error:
        sites.check({"name": "", "address_country": "br"}, creating=True)
    assert _problems(error) == {(("name",), "REQUIRED"), (("address", "country"), "INVALID")}


async def test_problems_come_back_under_the_nested_path(db: AsyncSession) -> None:
    tenant_id = await make_tenant(db)
    customer_id = await make_customer(db, tenant_id)
    actor = _actor(tenant_id)
    with pytest.raises(DomainError) as error:
        await contacts.create(db, actor, customer_id, {"email": "nope"}, "contacts", "2")
    assert _problems(error) == {
        (("contacts", "2", "fullName"), ErrorCode.REQUIRED.value),
        (("contacts", "2", "email"), ErrorCode.INVALID.value),
    }
    await sites.create(db, actor, customer_id, {"name": "HQ"}, "sites", "0")
    with pytest.raises(DomainError) as error:  # from the unique constraint, at flush
        await sites.create(db, actor, customer_id, {"name": "HQ"}, "sites", "1")
    assert _problems(error) == {(("sites", "1", "name"), "TAKEN")}


async def test_missing_customer_is_not_found(db: AsyncSession) -> None:
    tenant_id = await make_tenant(db)
    actor = _actor(tenant_id)
    with pytest.raises(DomainError) as error:
        await contracts.create(db, actor, uuid.uuid4(), {"number": "K-1"})
    assert _problems(error) == {(("customerId",), "NOT_FOUND")}


async def test_primary_switch_is_one_transaction_and_audited(db: AsyncSession) -> None:
    tenant_id = await make_tenant(db)
    customer_id = await make_customer(db, tenant_id)
    actor = _actor(tenant_id)
    old = await contacts.create(db, actor, customer_id, {"full_name": "Old", "is_primary": True})
    new = await contacts.create(db, actor, customer_id, {"full_name": "New", "is_primary": True})
    primaries = (await db.scalars(select(Contact.full_name).where(Contact.is_primary))).all()
    assert primaries == ["New"] and old.is_primary is False and new.is_primary is True
    events = (await db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == old.id)
                               .order_by(AuditEvent.occurred_at))).all()  # fmt: skip
    assert events == ["Contact.create", "Contact.update"]
