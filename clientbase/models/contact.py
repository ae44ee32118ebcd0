"""Contacts: people to talk to at a customer, at most one of them primary."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, String, false, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import Base, TenantMixin, TimestampMixin, VersionMixin, uuid_pk


class Contact(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "contact"
    __table_args__ = (
        # Contacts have no life without their customer: deleting the customer deletes them.
        ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customer.tenant_id", "customer.id"],
            ondelete="CASCADE",
        ),
        # E-mails are meant to be stored lower-cased, but the index does not rely on it.
        Index("uq_contact_tenant_id_lower_email", "tenant_id", text("lower(email)"), unique=True),
        Index(
            "uq_contact_customer_id_is_primary",
            "customer_id",
            unique=True,
            postgresql_where=text("is_primary"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    job_title: Mapped[str | None] = mapped_column(String(200))
    is_primary: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
