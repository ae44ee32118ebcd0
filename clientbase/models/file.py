"""Files: uploads and exports, stored in PostgreSQL as chunks so that no shared disk is needed."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CHAR, BigInteger, CheckConstraint, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import (
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    enum_check,
    uuid_pk,
)


class FilePurpose(StrEnum):
    UPLOAD = "UPLOAD"
    EXPORT = "EXPORT"
    ERROR_REPORT = "ERROR_REPORT"


class File(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "file"
    tenant_id_index = False
    __table_args__ = (
        # Target of file_chunk's composite (tenant_id, file_id) foreign key.
        UniqueConstraint("tenant_id", "id"),
        enum_check("purpose", FilePurpose),
        CheckConstraint("size_bytes >= 0", name="size_bytes"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(255), nullable=False)
    # Size and digest are known only once the last chunk is written, so the row (which the
    # chunks refer to) is inserted first with both NULL: NULL sha256 means "incomplete".
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(CHAR(64))
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
