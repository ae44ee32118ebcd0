"""Inventory items: serial-numbered products, licences or services installed at a customer."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clientbase.models.base import (
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    enum_check,
    uuid_pk,
)

if TYPE_CHECKING:
    from clientbase.models.contract import Contract
    from clientbase.models.customer import Customer
    from clientbase.models.product_type import ProductType
    from clientbase.models.site import Site


class InventoryItemStatus(StrEnum):
    ACTIVE = "ACTIVE"
    RETURNED = "RETURNED"
    REPLACED = "REPLACED"


class InventoryItem(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "inventory_item"
    tenant_id_index = False
    __table_args__ = (
        # No ON DELETE action anywhere (NO ACTION): a customer, contract, site or product
        # type with inventory cannot be deleted. NO ACTION rather than RESTRICT because it is
        # checked at the end of the statement, so deleting a whole tenant still cascades.
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customer.tenant_id", "customer.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "product_type_id"], ["product_type.tenant_id", "product_type.id"]
        ),
        # The item's contract and site belong to the item's customer, guaranteed by the
        # database. DEFERRABLE so that a merge can move a customer's contracts, sites and
        # items in one transaction after SET CONSTRAINTS ... DEFERRED; immediate otherwise.
        ForeignKeyConstraint(
            ["customer_id", "contract_id"],
            ["contract.customer_id", "contract.id"],
            deferrable=True,
            initially="IMMEDIATE",
        ),
        ForeignKeyConstraint(
            ["customer_id", "site_id"],
            ["site.customer_id", "site.id"],
            deferrable=True,
            initially="IMMEDIATE",
        ),
        # Deleting the replacement only clears the pointer (column list: PostgreSQL 15+).
        ForeignKeyConstraint(
            ["tenant_id", "replaced_by_id"],
            ["inventory_item.tenant_id", "inventory_item.id"],
            ondelete="SET NULL (replaced_by_id)",
        ),
        # Also serves the (tenant_id, product_type_id) foreign-key check.
        UniqueConstraint("tenant_id", "product_type_id", "serial_number"),
        UniqueConstraint("tenant_id", "id"),
        enum_check("status", InventoryItemStatus),
        CheckConstraint("replaced_by_id IS NULL OR status = 'REPLACED'", name="replaced_by_status"),
        CheckConstraint("replaced_by_id <> id", name="replaced_by_self"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    product_type_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    serial_number: Mapped[str] = mapped_column(String(128), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(16),
        nullable=False,
        default=InventoryItemStatus.ACTIVE.value,
        server_default="ACTIVE",
    )
    # Indexed for the reverse lookup, InventoryItem.replaces.
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)

    # Joined on the id alone: the composite keys already tie every one of them to this
    # item's tenant and customer, and a single-column join keeps selectinload a plain IN.
    customer: Mapped[Customer] = relationship(
        primaryjoin="InventoryItem.customer_id == Customer.id",
        foreign_keys="InventoryItem.customer_id",
        lazy="raise",
    )
    contract: Mapped[Contract] = relationship(
        primaryjoin="InventoryItem.contract_id == Contract.id",
        foreign_keys="InventoryItem.contract_id",
        lazy="raise",
    )
    site: Mapped[Site] = relationship(
        primaryjoin="InventoryItem.site_id == Site.id",
        foreign_keys="InventoryItem.site_id",
        lazy="raise",
    )
    product_type: Mapped[ProductType] = relationship(
        primaryjoin="InventoryItem.product_type_id == ProductType.id",
        foreign_keys="InventoryItem.product_type_id",
        lazy="raise",
    )
