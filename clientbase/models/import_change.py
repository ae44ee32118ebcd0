"""Import changes: what an import created or updated, with the row before, so it can be undone."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin, enum_check, uuid_pk


class ImportAction(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"


class ImportChange(Base, TenantMixin):
    """Written with the chunk that made the change; deleted when the change is undone."""

    __tablename__ = "import_change"
    __table_args__ = (
        Index("ix_import_change_job_id_row_number", "job_id", "row_number"),
        enum_check("action", ImportAction),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    job_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job.id", ondelete="CASCADE"), nullable=False
    )
    row_number: Mapped[int] = mapped_column(Integer, nullable=False)
    # The table name of the record (customer, contact, ...).
    entity: Mapped[str] = mapped_column(String(32), nullable=False)
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    # The record's version right after the import wrote it: a rollback undoes the change
    # only while the record is still at this version, i.e. nobody changed it since.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # The whole row before an update (to_jsonb); NULL for a creation.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
