"""Contracts: agreements with a customer under which its inventory is supplied."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import (
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    enum_check,
    uuid_pk,
)


class ContractStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class Contract(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "contract"
    tenant_id_index = False
    __table_args__ = (
        # Deleting a customer deletes its contracts, unless inventory still points at them.
        ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customer.tenant_id", "customer.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "number"),
        # Target of inventory_item (customer_id, contract_id); also the customer_id index.
        UniqueConstraint("customer_id", "id"),
        enum_check("status", ContractStatus),
        CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on", name="period"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    number: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=ContractStatus.ACTIVE.value, server_default="ACTIVE"
    )
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
