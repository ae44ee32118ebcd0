"""Create, update and delete contacts; making one primary demotes the customer's old primary.

Callers own the transaction, so customerCreate can write nested contacts in its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contact import Contact
from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services import canonical, records, validation
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import DomainError, ErrorCode, problem

ENTITY = "Contact"


def joined_name(first_name: str | None, last_name: str | None) -> str | None:
    return " ".join(part for part in (first_name, last_name) if part) or None


def normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {key: validation.clean(value) for key, value in data.items()}
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].lower()
    return cleaned


def _named(data: dict[str, Any]) -> dict[str, Any]:
    """A new contact's full name: the one given, else its first and last names."""
    if not data.get("full_name"):
        data["full_name"] = joined_name(data.get("first_name"), data.get("last_name"))
    return data


def _email(value: Any) -> DomainError | None:
    # Only the basic shape for now; deliverability and normalisation are a later issue.
    if value is None:
        return None
    local, _, domain = value.partition("@")
    if value.count("@") != 1 or not local or not domain or any(c.isspace() for c in value):
        return problem("email", ErrorCode.INVALID, "`email` is not an e-mail address.")
    return None


def _checks(data: Mapping[str, Any], creating: bool) -> list[DomainError | None]:
    data = normalise(data)
    if creating:
        data = _named(data)
    checks = [
        validation.text(data.get("full_name"), "fullName",
                        required=creating or "full_name" in data, max_length=200),
        validation.text(data.get("first_name"), "firstName", max_length=100),
        validation.text(data.get("last_name"), "lastName", max_length=100),
        validation.text(data.get("email"), "email", max_length=320),
        _email(data.get("email")),
        validation.text(data.get("phone"), "phone", max_length=32),
        validation.text(data.get("job_title"), "jobTitle", max_length=200),
    ]  # fmt: skip
    if "is_primary" in data and not isinstance(data["is_primary"], bool):
        checks.append(problem("isPrimary", ErrorCode.REQUIRED, "`isPrimary` is true or false."))
    return checks


def _prepared(
    data: dict[str, Any], creating: bool, country: str | None
) -> tuple[dict[str, Any], DomainError | None]:
    """Cleaned `data` in stored form with its keys, and every problem (shape ones first)."""
    problems = [p for error in _checks(data, creating) if error is not None for p in error.problems]
    values, found = canonical.contact(data, country)
    return values, canonical.merge(DomainError(problems) if problems else None, found)


def check(data: Mapping[str, Any], creating: bool, country: str | None = None) -> None:
    """Shape rules and the normaliser's verdicts, all reported at once, with the input's
    (camelCase) field names. `country` is the tenant's default for phone numbers."""
    cleaned = normalise(data)
    records.collect(_prepared(_named(cleaned) if creating else cleaned, creating, country)[1])


async def _country(session: AsyncSession, actor: Principal, data: Mapping[str, Any]) -> str | None:
    return await auth.default_country(session, actor.tenant_id) if data.get("phone") else None


async def owner(session: AsyncSession, customer_id: uuid.UUID) -> DomainError | None:
    """Why a child cannot be added to this customer, if it cannot. Another tenant's customer
    is invisible under row-level security, so it is simply not found."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return problem("customerId", ErrorCode.NOT_FOUND, "No Customer with this id.")
    if customer.status == CustomerStatus.MERGED.value:
        return problem("customerId", ErrorCode.INVALID_STATE,
                       "A merged customer takes no new records; use the survivor.")  # fmt: skip
    return None


async def _demote_primary(
    session: AsyncSession, actor: Principal, customer_id: uuid.UUID, keep: uuid.UUID
) -> None:
    # Clear the old primary before the new one is written: the partial unique index allows
    # one primary per customer at every statement, and the user asked for a switch, not a clash.
    stmt = (
        select(Contact)
        .where(Contact.customer_id == customer_id, Contact.is_primary, Contact.id != keep)
        .with_for_update()
    )
    for old in (await session.scalars(stmt)).all():
        await records.update(session, actor, old, {"is_primary": False}, ENTITY)


async def create(
    session: AsyncSession,
    actor: Principal,
    customer_id: uuid.UUID,
    data: Mapping[str, Any],
    *path: str,
) -> Contact:
    """A new contact of `customer_id`; problems are reported under `path` (nested inputs)."""
    data = _named(normalise(data))
    data.setdefault("is_primary", False)
    data, problems = _prepared(data, True, await _country(session, actor, data))
    try:
        records.collect(problems, await owner(session, customer_id))
    except DomainError as error:
        raise error.under(*path) from error
    row = Contact(id=uuid.uuid4(), tenant_id=actor.tenant_id, customer_id=customer_id, **data)
    if row.is_primary:
        await _demote_primary(session, actor, customer_id, keep=row.id)
    return await records.create(session, actor, row, ENTITY, *path)


def _renamed(row: Contact, changes: dict[str, Any]) -> dict[str, Any]:
    """Keep the full name in step with first and last names when it was derived from them;
    an emptied full name is derived again."""
    first = changes.get("first_name", row.first_name)
    last = changes.get("last_name", row.last_name)
    if "full_name" in changes and changes["full_name"] is None:
        changes["full_name"] = joined_name(first, last)
    elif "full_name" not in changes and {"first_name", "last_name"} & changes.keys():
        derived = joined_name(first, last)
        if derived and row.full_name == joined_name(row.first_name, row.last_name):
            changes["full_name"] = derived
    return changes


async def update(
    session: AsyncSession,
    actor: Principal,
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Contact:
    row = await records.load_for_update(session, Contact, row_id, ENTITY, expected_version)
    cleaned, problems = _prepared(_renamed(row, normalise(changes)), False,
                                  await _country(session, actor, changes))  # fmt: skip
    records.collect(problems)
    if cleaned.get("is_primary") and not row.is_primary:
        await _demote_primary(session, actor, row.customer_id, keep=row.id)
    await records.update(session, actor, row, cleaned, ENTITY)
    return row


async def delete(session: AsyncSession, actor: Principal, row_id: uuid.UUID) -> None:
    row = await records.get(session, Contact, row_id, ENTITY)
    await records.delete(session, actor, row, ENTITY)
