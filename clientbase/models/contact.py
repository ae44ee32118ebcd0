"""Contacts: people to talk to at a customer, at most one of them primary."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, String, Text, false, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from clientbase.models.base import (
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    search_index,
    uuid_pk,
    words_index,
)
from clientbase.models.customer import EMAIL_KEY, REVERSED_DIGITS


class Contact(Base, TenantMixin, TimestampMixin, VersionMixin):
    __tablename__ = "contact"
    tenant_id_index = False
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
        # The typeahead finds customers by their contacts too (services/search).
        *(search_index("contact", column) for column in ("name_key", "phone_digits")),
        search_index("contact", "email_key", EMAIL_KEY),
        search_index("contact", "phone_digits_reversed", REVERSED_DIGITS),
        words_index("contact", "name_key"),
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
    # Match keys written by the contact service: the full name folded, the phone's digits.
    # Nullable, unlike the customer's: a contact written without them (plain SQL) is still
    # valid, only not found by the typeahead.
    name_key: Mapped[str | None] = mapped_column(Text(collation="C"))
    phone_digits: Mapped[str | None] = mapped_column(Text(collation="C"))
