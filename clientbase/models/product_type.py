"""Product types: what an inventory item is (a product, a service or a licence)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import (
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    enum_check,
    uuid_pk,
)


class ProductKind(StrEnum):
    PRODUCT = "PRODUCT"
    SERVICE = "SERVICE"
    LICENSE = "LICENSE"


class ProductType(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "product_type"
    tenant_id_index = False
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # Target of inventory_item's composite (tenant_id, product_type_id) foreign key.
        UniqueConstraint("tenant_id", "id"),
        enum_check("kind", ProductKind),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
