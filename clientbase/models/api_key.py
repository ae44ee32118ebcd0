"""API keys: stored only as a SHA-256 hash, with a role, one tenant, and revocable."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin, TimestampMixin, VersionMixin, uuid_pk


class ApiKey(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint("role IN ('reader', 'editor', 'admin')", name="role"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # The first characters of the secret, shown in listings so a key can be recognised.
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
