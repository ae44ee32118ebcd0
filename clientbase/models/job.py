"""Jobs: the durable record of background work (imports, exports, duplicate scans, merges)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Index, String, Text, false, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import (
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    enum_check,
    uuid_pk,
)


class JobKind(StrEnum):
    IMPORT = "IMPORT"
    EXPORT = "EXPORT"
    DUPLICATE_SCAN = "DUPLICATE_SCAN"
    MERGE = "MERGE"


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


def _counter() -> Mapped[int]:
    return mapped_column(BigInteger, nullable=False, default=0, server_default="0")


UNFINISHED = "status IN ('QUEUED', 'RUNNING')"


class Job(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "job"
    tenant_id_index = False
    __table_args__ = (
        # Listing a tenant's jobs by status; the sweeper re-sends QUEUED and stale RUNNING ones.
        Index("ix_job_tenant_id_status", "tenant_id", "status"),
        # The reconciler's read of every tenant's unfinished jobs (migration 0008).
        Index("ix_job_unfinished", "created_at", postgresql_where=text(UNFINISHED)),
        # The metrics of a scrape, across tenants: the jobs just finished (migration 0009).
        Index(
            "ix_job_finished_at", "finished_at", postgresql_where=text("finished_at IS NOT NULL")
        ),
        enum_check("kind", JobKind),
        enum_check("status", JobStatus),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=JobStatus.QUEUED.value, server_default="QUEUED"
    )
    params: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default="{}"
    )
    # Unknown until the input has been counted (or for ever, for a streamed file).
    total: Mapped[int | None] = mapped_column(BigInteger)
    processed: Mapped[int] = _counter()
    created: Mapped[int] = _counter()
    updated: Mapped[int] = _counter()
    skipped: Mapped[int] = _counter()
    failed: Mapped[int] = _counter()
    # Where a resumed job starts again, e.g. the last committed chunk of an import.
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_requested: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
