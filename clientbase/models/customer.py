"""Customers: the companies and persons a tenant does business with."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CHAR,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clientbase.models.base import (
    AddressMixin,
    Base,
    TenantMixin,
    TimestampMixin,
    VersionMixin,
    enum_check,
    search_index,
    uuid_pk,
    words_index,
)

if TYPE_CHECKING:
    from clientbase.models.company_type import CompanyType
    from clientbase.models.customer_category import CustomerCategory


# Expressions the search views expose (migration 0002) and indexes cover: codes without case
# or punctuation ("c-0001" finds "C0001"), e-mails and reversed phone digits, in byte order.
CODE_KEY = "lower(regexp_replace(code COLLATE \"C\", '[^0-9A-Za-z]+', '', 'g'))"
# lower() only wraps the collation into an expression: e-mails are stored lower-case.
EMAIL_KEY = 'lower(email COLLATE "C")'
REVERSED_DIGITS = "reverse(phone_digits)"
# Postal codes without case or punctuation, for blocking candidate duplicates (migration 0005).
POSTAL_KEY = "upper(regexp_replace(address_postal_code COLLATE \"C\", '[^0-9A-Za-z]+', '', 'g'))"


class CustomerKind(StrEnum):
    COMPANY = "COMPANY"
    PERSON = "PERSON"


class CustomerStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    MERGED = "MERGED"


class Customer(Base, TenantMixin, TimestampMixin, VersionMixin, AddressMixin):
    __tablename__ = "customer"
    tenant_id_index = False
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        UniqueConstraint("tenant_id", "external_ref"),
        # Target of every composite (tenant_id, customer_id) foreign key: a foreign-key check
        # bypasses row-level security, so the tenant must be part of the reference itself.
        UniqueConstraint("tenant_id", "id"),
        # A category or company type in use cannot be deleted (NO ACTION): silently clearing
        # it on many customers would bypass their version and audit trail.
        ForeignKeyConstraint(
            ["tenant_id", "category_id"], ["customer_category.tenant_id", "customer_category.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "company_type_id"], ["company_type.tenant_id", "company_type.id"]
        ),
        # Deleting a survivor only clears the pointer; the column list (PostgreSQL 15+) keeps
        # SET NULL away from tenant_id, which is part of the key.
        ForeignKeyConstraint(
            ["tenant_id", "merged_into_id"],
            ["customer.tenant_id", "customer.id"],
            ondelete="SET NULL (merged_into_id)",
        ),
        enum_check("kind", CustomerKind),
        enum_check("status", CustomerStatus),
        # Not "MERGED iff merged_into_id": the SET NULL above may leave a MERGED row unlinked.
        CheckConstraint("merged_into_id IS NULL OR status = 'MERGED'", name="merged_into_status"),
        CheckConstraint("merged_into_id <> id", name="merged_into_self"),
        CheckConstraint("birth_date IS NULL OR kind = 'PERSON'", name="birth_date_person"),
        # The typeahead's lookups (services/search); it reads them through a tenant view.
        *(
            search_index("customer", column)
            for column in ("name_key", "trade_name_key", "tax_id_key", "phone_digits")
        ),
        search_index("customer", "email_key", EMAIL_KEY),
        search_index("customer", "phone_digits_reversed", REVERSED_DIGITS),
        search_index("customer", "code_key", CODE_KEY),
        words_index("customer", "name_key"),
        words_index("customer", "trade_name_key"),
        # Duplicate blocking (services/dedupe): postal code or birth date, then name initials.
        # Partial: only rows with the value are ever looked up by it, and writes of the
        # others (most companies have no birth date) skip the index.
        Index(
            "ix_customer_tenant_id_postal_key",
            "tenant_id",
            text(POSTAL_KEY),
            "name_key",
            postgresql_where=text("address_postal_code IS NOT NULL"),
        ),
        Index(
            "ix_customer_tenant_id_birth_date",
            "tenant_id",
            "birth_date",
            "name_key",
            postgresql_where=text("birth_date IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    legal_name: Mapped[str] = mapped_column(String(300), nullable=False)
    trade_name: Mapped[str | None] = mapped_column(String(300))
    tax_id: Mapped[str | None] = mapped_column(String(32))
    tax_id_country: Mapped[str | None] = mapped_column(CHAR(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(500))
    category_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    company_type_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=CustomerStatus.ACTIVE.value, server_default="ACTIVE"
    )
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(200))
    custom_fields: Mapped[dict[str, object]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default="{}"
    )
    # Match keys, written by the services from the columns above (services/normalise):
    # names folded, tax ids as letters and digits, phones as the digits of their E.164 form.
    name_key: Mapped[str] = mapped_column(Text(collation="C"), nullable=False)
    trade_name_key: Mapped[str | None] = mapped_column(Text(collation="C"))
    tax_id_key: Mapped[str | None] = mapped_column(Text(collation="C"))
    phone_digits: Mapped[str | None] = mapped_column(Text(collation="C"))

    # Joined on the id alone: the composite keys already guarantee the tenant matches, and
    # a single-column join lets selectinload use a plain IN over primary keys.
    category: Mapped[CustomerCategory | None] = relationship(
        primaryjoin="Customer.category_id == CustomerCategory.id",
        foreign_keys="Customer.category_id",
        lazy="raise",
    )
    company_type: Mapped[CompanyType | None] = relationship(
        primaryjoin="Customer.company_type_id == CompanyType.id",
        foreign_keys="Customer.company_type_id",
        lazy="raise",
    )
