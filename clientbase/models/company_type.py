"""Company types, a tenant-defined legal form of company customers (e.g. LLC, cooperative)."""

from __future__ import annotations

import uuid

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin, TimestampMixin, VersionMixin, uuid_pk


class CompanyType(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "company_type"
    tenant_id_index = False
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # Target of customer's composite (tenant_id, company_type_id) foreign key.
        UniqueConstraint("tenant_id", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
