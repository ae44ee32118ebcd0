"""AuditEvent and the `history` connections: every write, who made it and what it changed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON

from clientbase import models
from clientbase.models.audit_event import CustomerHistoryEvent
from clientbase.schema.common import Connection, Node
from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info, by_ids, child_connection
from clientbase.schema.node import register_node
from clientbase.services.audit import service as audit
from clientbase.services.query.pagination import PageRequest, SortKey

SORT = [SortKey(models.AuditEvent.occurred_at, "occurred_at", descending=True),
        SortKey(models.AuditEvent.id, "id", descending=True)]  # fmt: skip


@strawberry.type(description="One write: who, when, which action, and each changed field.")
class AuditEvent(Node):
    row_id: strawberry.Private[uuid.UUID]
    occurred_at: dt.datetime
    action: str = strawberry.field(description="e.g. Customer.update, InventoryItem.transfer")
    entity_type: str
    entity_id: strawberry.ID | None
    actor_kind: str
    actor_label: str | None
    request_id: str | None
    changes: JSON | None = strawberry.field(
        description="Per field: {before, after}. Values as stored."
    )

    @classmethod
    def from_row(cls, row: Any) -> AuditEvent:
        """`row`: an audit event, or one of Customer.history's (the same columns)."""
        entity = to_global_id(row.entity_type, row.entity_id) if row.entity_id else None
        return cls(
            id=strawberry.ID(to_global_id("AuditEvent", row.id)),
            row_id=row.id,
            occurred_at=row.occurred_at,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=strawberry.ID(entity) if entity else None,
            actor_kind=row.actor_kind,
            actor_label=row.actor_label,
            request_id=row.request_id,
            changes=cast(JSON, row.changes),
        )


async def history_of(
    info: Info, entity_type: str, entity_id: uuid.UUID, page: PageRequest
) -> Connection[AuditEvent]:
    """Newest first; one statement for every entity of this type on the page."""
    return await child_connection(
        info,
        f"{entity_type}.history",
        entity_id,
        stmt=audit.events_of(entity_type),
        entity=models.AuditEvent,
        parent_column=models.AuditEvent.entity_id,
        sort=SORT,
        page=page,
        convert=AuditEvent.from_row,
    )


HISTORY = CustomerHistoryEvent
HISTORY_SORT = [SortKey(HISTORY.occurred_at, "occurred_at", descending=True),
                SortKey(HISTORY.id, "id", descending=True)]  # fmt: skip


async def customer_history_of(
    info: Info, customer_id: uuid.UUID, page: PageRequest
) -> Connection[AuditEvent]:
    """A customer's events and those of the customers merged into it, newest first."""
    return await child_connection(
        info,
        "Customer.history",
        customer_id,
        stmt=select(HISTORY),
        entity=HISTORY,
        parent_column=HISTORY.owner_id,
        sort=HISTORY_SORT,
        page=page,
        convert=AuditEvent.from_row,
    )


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.AuditEvent, ids, AuditEvent.from_row)


register_node("AuditEvent", _load)
