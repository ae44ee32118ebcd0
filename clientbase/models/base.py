"""Declarative base, naming convention and the column mixins every table shares."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Stable constraint names, so migrations can refer to them and autogenerate stays quiet.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def uuid_pk() -> Mapped[uuid.UUID]:
    # The server default serves set-based writes (INSERT ... SELECT from an import's staging
    # table, plain SQL); the ORM still assigns ids itself so that they are known before flush.
    return mapped_column(
        UUID(as_uuid=True),
        primary_key=True,
        default=uuid.uuid4,
        server_default=func.gen_random_uuid(),
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class VersionMixin:
    """Optimistic concurrency: SQLAlchemy bumps `version` and checks it on every UPDATE."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:  # noqa: N805
        # eager_defaults: UPDATE ... RETURNING brings back updated_at (set by now() in SQL);
        # otherwise it is expired after a flush and reading it under asyncio raises.
        return {
            "version_id_col": cls.__table__.c.version,  # type: ignore[attr-defined]
            "eager_defaults": True,
        }


class TenantMixin:
    """Rows owned by one tenant; row-level security compares tenant_id with app.tenant_id."""

    # False where another index leads with tenant_id: it serves the same lookups, and a
    # lone tenant_id index only costs writes (and tempts the planner into tenant scans).
    tenant_id_index: ClassVar[bool] = True

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805
        return mapped_column(
            UUID(as_uuid=True),
            ForeignKey("tenant.id", ondelete="CASCADE"),
            nullable=False,
            index=cls.tenant_id_index,
        )


def search_index(table: str, name: str, expression: str | None = None) -> Index:
    """A btree for equality and prefix ranges within a tenant, on a column or an expression.

    Search keys sort in byte order (collation "C"), so a prefix is a plain index range
    whatever the database's locale.
    """
    return Index(
        f"ix_{table}_tenant_id_{name}", "tenant_id", text(expression) if expression else name
    )


def words_index(table: str, column: str) -> Index:
    """GIN over the words of a name key, for names matched word by word (services/search)."""
    words = text(f"to_tsvector('simple'::regconfig, {column})")
    return Index(f"ix_{table}_{column.removesuffix('_key')}_words", words, postgresql_using="gin")


def enum_check(column: str, values: Iterable[str]) -> CheckConstraint:
    """Enumerations are VARCHAR + CHECK, not PG enums: adding a value is a cheap migration."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


class AddressMixin:
    """A postal address flattened into columns; the API exposes it as one Address object."""

    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    address_number: Mapped[str | None] = mapped_column(String(32))
    address_city: Mapped[str | None] = mapped_column(String(120))
    address_region: Mapped[str | None] = mapped_column(String(120))
    address_postal_code: Mapped[str | None] = mapped_column(String(32))
    # ISO 3166-1 alpha-2; VARCHAR rather than CHAR so a stray one-letter value is not space-padded.
    address_country: Mapped[str | None] = mapped_column(String(2))
