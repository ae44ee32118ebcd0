"""File chunks: a file's bytes in sequence, written once and deleted with their file."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Integer, LargeBinary
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin


class FileChunk(Base, TenantMixin):
    """No version and no timestamps: a chunk is immutable, its file row carries the metadata."""

    __tablename__ = "file_chunk"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "file_id"], ["file.tenant_id", "file.id"], ondelete="CASCADE"
        ),
        CheckConstraint("seq >= 0", name="seq"),
    )

    # The primary key (file_id, seq) is also the index for reading a file in order.
    file_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
