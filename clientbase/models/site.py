"""Sites: a customer's named places (offices, plants, shops) where inventory is installed."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import (
    AddressMixin,
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    uuid_pk,
)


class Site(Base, TenantMixin, TimestampMixin, VersionMixin, AddressMixin):
    __tablename__ = "site"
    __table_args__ = (
        # Deleting a customer deletes its sites, unless inventory still points at them
        # (inventory_item's own foreign keys then stop the delete).
        ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customer.tenant_id", "customer.id"],
            ondelete="CASCADE",
        ),
        # Also the index for "sites of a customer", so customer_id needs no index of its own.
        UniqueConstraint("customer_id", "name"),
        # Target of inventory_item (customer_id, site_id): an item's site is its customer's.
        UniqueConstraint("customer_id", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
