"""Import row errors: why one row of an imported file was refused, with the row as it was."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin, uuid_pk


class ImportRowError(Base, TenantMixin):
    """Append-only, no version: written in the same transaction as the chunk it belongs to."""

    __tablename__ = "import_row_error"
    __table_args__ = (
        # A job's errors in file order: the rowErrors connection and the error report.
        Index("ix_import_row_error_job_id_row_number", "job_id", "row_number"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # job.id alone (job has no (tenant_id, id) key); rows are only ever written for the
    # job that is running, under its tenant, so the reference cannot cross tenants.
    job_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job.id", ondelete="CASCADE"), nullable=False
    )
    # 1-based data row of the file (the header is row 0); 0 for problems of the whole file.
    row_number: Mapped[int] = mapped_column(Integer, nullable=False)
    # The file's own column header, when one column is at fault.
    column: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    # The row's cells as read, in file order, for the error report.
    raw: Mapped[list[Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
