"""Create, update and delete sites; a site with inventory cannot be deleted.

Callers own the transaction, so customerCreate can write nested sites in its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.site import Site
from clientbase.services import records, validation
from clientbase.services.auth.principal import Principal
from clientbase.services.contact.service import owner
from clientbase.services.errors import DomainError

ENTITY = "Site"

# address_* column -> (input field under `address`, maximum length), as in the model.
ADDRESS = {
    "address_line1": ("line1", 200),
    "address_line2": ("line2", 200),
    "address_number": ("number", 32),
    "address_city": ("city", 120),
    "address_region": ("region", 120),
    "address_postal_code": ("postalCode", 32),
}


def normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: validation.clean(value) for key, value in data.items()}


def _address(data: Mapping[str, Any]) -> list[DomainError | None]:
    checks = [validation.text(data.get(column), field, max_length=limit)
              for column, (field, limit) in ADDRESS.items()]  # fmt: skip
    checks.append(validation.country(data.get("address_country"), "country"))
    return [None if error is None else error.under("address") for error in checks]


def _checks(data: Mapping[str, Any], creating: bool) -> list[DomainError | None]:
    data = normalise(data)
    name = validation.text(data.get("name"), "name", required=creating or "name" in data)
    return [name, *_address(data)]


def check(data: Mapping[str, Any], creating: bool) -> None:
    """Shape rules, all reported at once, with the input's (camelCase) field names."""
    records.collect(*_checks(data, creating))


async def create(
    session: AsyncSession,
    actor: Principal,
    customer_id: uuid.UUID,
    data: Mapping[str, Any],
    *path: str,
) -> Site:
    """A new site of `customer_id`; problems are reported under `path` (nested inputs)."""
    data = normalise(data)
    try:
        records.collect(*_checks(data, creating=True), await owner(session, customer_id))
    except DomainError as error:
        raise error.under(*path) from error
    row = Site(id=uuid.uuid4(), tenant_id=actor.tenant_id, customer_id=customer_id, **data)
    # A second site of the same name reaches the caller as TAKEN from the unique constraint.
    return await records.create(session, actor, row, ENTITY, *path)


async def update(
    session: AsyncSession,
    actor: Principal,
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Site:
    changes = normalise(changes)
    check(changes, creating=False)
    row = await records.load_for_update(session, Site, row_id, ENTITY, expected_version)
    await records.update(session, actor, row, changes, ENTITY)
    return row


async def delete(session: AsyncSession, actor: Principal, row_id: uuid.UUID) -> None:
    """Refused (HAS_DEPENDENTS) while inventory is installed here: inventory_item's key."""
    row = await records.get(session, Site, row_id, ENTITY)
    await records.delete(session, actor, row, ENTITY)
