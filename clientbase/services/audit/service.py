"""Record audit events for writes and read an entity's history. Callers own the transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import structlog
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.audit_event import AuditEvent
from clientbase.services.auth.principal import Principal


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def snapshot(row: object, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _json_value(getattr(row, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields whose value changed, each with its before and after."""
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def record(
    session: AsyncSession,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    event = AuditEvent(
        id=uuid.uuid4(),
        # The clock now, not the transaction's start (now()): events of one transaction
        # keep the order they happened in.
        occurred_at=dt.datetime.now(dt.UTC),
        tenant_id=actor.tenant_id,
        actor_kind=actor.actor_kind,
        actor_id=actor.actor_id,
        actor_label=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=dict(changes) if changes else None,
        request_id=request_id,
    )
    session.add(event)
    return event


def events_of(entity_type: str) -> Select[Any]:
    return select(AuditEvent).where(AuditEvent.entity_type == entity_type)
