"""Customer categories, a tenant-defined classification of customers (e.g. retail, key account)."""

from __future__ import annotations

import uuid

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin, TimestampMixin, VersionMixin, uuid_pk


class CustomerCategory(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "customer_category"
    tenant_id_index = False
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # Target of customer's composite (tenant_id, category_id) foreign key.
        UniqueConstraint("tenant_id", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
