"""Customer merges: which customers went into which survivor, and the record that undoes it.

`record` holds everything the merge changed (ids per table with their previous owner and
the version the merge left them at, rows it deleted, fields it overwrote), so that an
undo can put it all back, or say what has changed since.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import (
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    enum_check,
    uuid_pk,
)


class MergeStatus(StrEnum):
    APPLIED = "APPLIED"
    UNDONE = "UNDONE"


class CustomerMerge(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "customer_merge"
    tenant_id_index = False
    __table_args__ = (
        # Composite, like every reference to a customer (a foreign-key check bypasses
        # row-level security). A survivor can only be deleted once it has nothing left, and
        # then its merges cannot be undone anyway.
        ForeignKeyConstraint(
            ["tenant_id", "survivor_id"], ["customer.tenant_id", "customer.id"],
            ondelete="CASCADE",
        ),
        Index("ix_customer_merge_tenant_id_survivor_id", "tenant_id", "survivor_id"),
        enum_check("status", MergeStatus),
    )  # fmt: skip

    id: Mapped[uuid.UUID] = uuid_pk()
    survivor_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    merged_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), nullable=False)
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=MergeStatus.APPLIED.value, server_default="APPLIED"
    )
    record: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default="{}"
    )
    created_by: Mapped[str | None] = mapped_column(Text)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(Text)
