"""Audit events: an append-only record of who changed what; the app role may not alter it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin, enum_check, uuid_pk


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
