"""Audit events: an append-only record of who changed what; the app role may not alter it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Index, String, Text, func, select, union_all
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin, enum_check, uuid_pk
from clientbase.models.customer import Customer  # noqa: F401  (its table, for the history view)


class ActorKind(StrEnum):
    API_KEY = "API_KEY"
    USER = "USER"
    SYSTEM = "SYSTEM"


class AuditEvent(Base, TenantMixin):
    """No version and no updated_at: rows are never updated (the app role lacks the grant)."""

    tenant_id_index = False

    __tablename__ = "audit_event"
    __table_args__ = (
        # The history of one entity, newest first.
        Index(
            "ix_audit_event_tenant_id_entity_type_entity_id_occurred_at",
            "tenant_id",
            "entity_type",
            "entity_id",
            "occurred_at",
        ),
        enum_check("actor_kind", ActorKind),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    actor_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[str | None] = mapped_column(Text)
    actor_label: Mapped[str | None] = mapped_column(Text)
    # Dotted "<entity>.<verb>", e.g. "customer.update", "inventory_item.transfer".
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(String(64))


def _customer_history() -> Any:
    """Customer events by the customer whose history shows them: its own, and those of the
    customers merged into it (their history moves with them to the survivor)."""
    events = AuditEvent.__table__
    customer = Base.metadata.tables["customer"]
    columns = [events.c[c.key] for c in events.columns]
    own = select(*columns, events.c.entity_id.label("owner_id")).where(
        events.c.entity_type == "Customer"
    )
    merged = (
        select(*columns, customer.c.merged_into_id.label("owner_id"))
        .join(customer, customer.c.id == events.c.entity_id)
        .where(events.c.entity_type == "Customer", customer.c.merged_into_id.is_not(None))
    )
    return union_all(own, merged).subquery("customer_history")


class CustomerHistoryEvent(Base):
    """A read-only view of audit events (not a table): Customer.history pages through it."""

    __table__ = _customer_history()
    __mapper_args__ = {"primary_key": [__table__.c.id, __table__.c.owner_id]}

    if TYPE_CHECKING:  # the columns of the view, for the type checker
        id: Mapped[uuid.UUID]
        occurred_at: Mapped[datetime]
        owner_id: Mapped[uuid.UUID]
