"""Create, update and delete contracts; a contract with inventory cannot be deleted.

Callers own the transaction, so customerCreate can write nested contracts in its own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contract import Contract, ContractStatus
from clientbase.services import records, validation
from clientbase.services.auth.principal import Principal
from clientbase.services.contact.service import owner
from clientbase.services.errors import DomainError, ErrorCode, problem

ENTITY = "Contract"


def normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: validation.clean(value) for key, value in data.items()}


def _period(starts_on: dt.date | None, ends_on: dt.date | None) -> DomainError | None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        return problem("endsOn", ErrorCode.INVALID, "The contract ends before it starts.")
    return None


def _checks(data: Mapping[str, Any], creating: bool) -> list[DomainError | None]:
    data = normalise(data)
    return [
        validation.text(data.get("number"), "number", required=creating or "number" in data,
                        max_length=64),
        validation.text(data.get("title"), "title", max_length=300),
        validation.text(data.get("status"), "status", required="status" in data),
        validation.one_of(data.get("status"), "status", [s.value for s in ContractStatus]),
    ]  # fmt: skip


def check(data: Mapping[str, Any], creating: bool) -> None:
    """Shape rules, all reported at once, with the input's (camelCase) field names."""
    records.collect(*_checks(data, creating), _period(data.get("starts_on"), data.get("ends_on")))


async def create(
    session: AsyncSession,
    actor: Principal,
    customer_id: uuid.UUID,
    data: Mapping[str, Any],
    *path: str,
) -> Contract:
    """A new contract of `customer_id`; problems are reported under `path` (nested inputs)."""
    data = normalise(data)
    data.setdefault("status", ContractStatus.ACTIVE.value)
    try:
        records.collect(*_checks(data, creating=True),
                        _period(data.get("starts_on"), data.get("ends_on")),
                        await owner(session, customer_id))  # fmt: skip
    except DomainError as error:
        raise error.under(*path) from error
    row = Contract(id=uuid.uuid4(), tenant_id=actor.tenant_id, customer_id=customer_id, **data)
    # A number used anywhere in the tenant reaches the caller as TAKEN from the constraint.
    return await records.create(session, actor, row, ENTITY, *path)


async def update(
    session: AsyncSession,
    actor: Principal,
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Contract:
    changes = normalise(changes)
    row = await records.load_for_update(session, Contract, row_id, ENTITY, expected_version)
    # The period is checked as it will be, one end possibly unchanged.
    period = _period(changes.get("starts_on", row.starts_on), changes.get("ends_on", row.ends_on))
    records.collect(*_checks(changes, creating=False), period)
    await records.update(session, actor, row, changes, ENTITY)
    return row


async def delete(session: AsyncSession, actor: Principal, row_id: uuid.UUID) -> None:
    """Refused (HAS_DEPENDENTS) while inventory is supplied under it: inventory_item's key."""
    row = await records.get(session, Contract, row_id, ENTITY)
    await records.delete(session, actor, row, ENTITY)
