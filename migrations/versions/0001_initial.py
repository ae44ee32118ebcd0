"""Initial schema: every table, row-level security per tenant, and the application role.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:34:11.064161+00:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table with a tenant_id column gets the tenant_isolation policy; parents first.
TENANT_TABLES = (
    "api_key",
    "audit_event",
    "company_type",
    "customer_category",
    "file",
    "job",
    "product_type",
    "customer",
    "file_chunk",
    "contact",
    "contract",
    "site",
    "inventory_item",
)
# The audit log is append-only for the application: SELECT and INSERT only.
APPEND_ONLY_TABLES = ("audit_event",)
EXTENSIONS = ("pg_trgm", "unaccent", "citext")
CURRENT_TENANT = "clientbase_current_tenant()"
SET_NULL_MERGED = "SET NULL (merged_into_id)"


# Column helpers: private to this revision (not imported from the models) so that it stays
# frozen whatever the models become.
def _id() -> sa.Column[object]:
    return sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _tenant(table: str) -> list[SchemaItem]:
    return [
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        _fk(table, ["tenant_id"], "tenant", ondelete="CASCADE"),
        sa.Index(op.f(f"ix_{table}_tenant_id"), "tenant_id"),
    ]


def _timestamps_version() -> list[SchemaItem]:
    return [
        _ts("created_at", server_default=sa.text("now()"), nullable=False),
        _ts("updated_at", server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def _address() -> list[SchemaItem]:
    return [
        sa.Column("address_line1", sa.String(200)),
        sa.Column("address_line2", sa.String(200)),
        sa.Column("address_number", sa.String(32)),
        sa.Column("address_city", sa.String(120)),
        sa.Column("address_region", sa.String(120)),
        sa.Column("address_postal_code", sa.String(32)),
        sa.Column("address_country", sa.String(2)),
    ]


def _owned(table: str, *items: SchemaItem, versioned: bool = True) -> None:
    """A tenant-owned table: id, tenant_id, its own items, then timestamps and version."""
    common = _timestamps_version() if versioned else []
    pk = sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))
    op.create_table(table, _id(), *_tenant(table), *items, *common, pk)


def _enum(table: str, column: str, *values: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}"))


def _fk(table: str, cols: list[str], ref: str, **kw: object) -> sa.ForeignKeyConstraint:
    """Every reference here has the shape (x, y_id) -> ref(x, id), or y_id -> ref(id)."""
    ref_cols = [f"{ref}.{col}" for col in (*cols[:-1], "id")]
    return sa.ForeignKeyConstraint(
        cols, ref_cols, name=op.f(f"fk_{table}_{'_'.join(cols)}_{ref}"), **kw
    )


def _ts(name: str, **kw: object) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def _uq(table: str, *cols: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*cols, name=op.f(f"uq_{table}_{'_'.join(cols)}"))


def _ck(table: str, name: str, sqltext: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sqltext, name=op.f(f"ck_{table}_{name}"))


def _app_role() -> tuple[str, str]:
    """The application role's name, as a quoted identifier and as a quoted literal."""
    config = op.get_context().config
    role = config.attributes.get("app_role") if config is not None else None
    if not role:
        from clientbase.core.config import get_settings

        role = get_settings().app_role
    # Quoting handles odd names in SQL, but the name also lands inside a DO $$ ... $$ body,
    # which no quoting protects: keep to plain identifiers.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", role):
        raise ValueError(f"app_role must be a plain SQL identifier, got {role!r}")
    return '"' + role.replace('"', '""') + '"', "'" + role.replace("'", "''") + "'"


def upgrade() -> None:
    for extension in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    _create_tables()
    _enable_row_level_security()
    _grant_app_role()


def _create_tables() -> None:
    op.create_table(
        "tenant",
        _id(),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("settings", postgresql.JSONB(), server_default="{}", nullable=False),
        *_timestamps_version(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        _uq("tenant", "slug"),
    )
    _owned(
        "api_key",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        _ts("last_used_at"),
        _ts("revoked_at"),
        _enum("api_key", "role", "reader", "editor", "admin"),
        _uq("api_key", "key_hash"),
    )
    _owned(
        "audit_event",
        _ts("occurred_at", server_default=sa.text("now()"), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Text()),
        sa.Column("actor_label", sa.Text()),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity_type", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.UUID()),
        sa.Column("changes", postgresql.JSONB()),
        sa.Column("request_id", sa.String(64)),
        _enum("audit_event", "actor_kind", "API_KEY", "USER", "SYSTEM"),
        sa.Index(
            "ix_audit_event_tenant_id_entity_type_entity_id_occurred_at",
            "tenant_id",
            "entity_type",
            "entity_id",
            "occurred_at",
        ),
        versioned=False,
    )
    for table in ("company_type", "customer_category"):
        _owned(
            table,
            sa.Column("name", sa.String(200), nullable=False),
            _uq(table, "tenant_id", "name"),
            _uq(table, "tenant_id", "id"),
        )
    _owned(
        "file",
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger()),
        sa.Column("sha256", sa.CHAR(64)),
        sa.Column("purpose", sa.String(16), nullable=False),
        _ts("expires_at"),
        _enum("file", "purpose", "UPLOAD", "EXPORT", "ERROR_REPORT"),
        _ck("file", "size_bytes", "size_bytes >= 0"),
        _uq("file", "tenant_id", "id"),
    )
    counters = ("processed", "created", "updated", "skipped", "failed")
    _owned(
        "job",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), server_default="QUEUED", nullable=False),
        sa.Column("params", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("total", sa.BigInteger()),
        *(
            sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
            for name in counters
        ),
        sa.Column("checkpoint", postgresql.JSONB()),
        sa.Column("error", sa.Text()),
        sa.Column("created_by", sa.Text()),
        _ts("started_at"),
        _ts("finished_at"),
        _ts("heartbeat_at"),
        sa.Column("cancel_requested", sa.Boolean(), server_default=sa.false(), nullable=False),
        _enum("job", "kind", "IMPORT", "EXPORT", "DUPLICATE_SCAN", "MERGE"),
        _enum("job", "status", "QUEUED", "RUNNING", "SUCCEEDED", "PARTIAL", "FAILED", "CANCELLED"),
        sa.Index("ix_job_tenant_id_status", "tenant_id", "status"),
    )
    _owned(
        "product_type",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _enum("product_type", "kind", "PRODUCT", "SERVICE", "LICENSE"),
        _uq("product_type", "tenant_id", "name"),
        _uq("product_type", "tenant_id", "id"),
    )
    _owned(
        "customer",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("legal_name", sa.String(300), nullable=False),
        sa.Column("trade_name", sa.String(300)),
        sa.Column("tax_id", sa.String(32)),
        sa.Column("tax_id_country", sa.CHAR(2)),
        sa.Column("birth_date", sa.Date()),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(32)),
        sa.Column("website", sa.String(500)),
        *_address(),
        sa.Column("category_id", sa.UUID(), index=True),
        sa.Column("company_type_id", sa.UUID(), index=True),
        sa.Column("status", sa.String(16), server_default="ACTIVE", nullable=False),
        sa.Column("merged_into_id", sa.UUID(), index=True),
        sa.Column("external_ref", sa.String(200)),
        sa.Column("custom_fields", postgresql.JSONB(), server_default="{}", nullable=False),
        _uq("customer", "tenant_id", "code"),
        _uq("customer", "tenant_id", "external_ref"),
        _uq("customer", "tenant_id", "id"),
        # NO ACTION: a category or company type in use cannot be deleted.
        _fk("customer", ["tenant_id", "category_id"], "customer_category"),
        _fk("customer", ["tenant_id", "company_type_id"], "company_type"),
        # Clears only merged_into_id, never tenant_id (column list: PostgreSQL 15+).
        _fk("customer", ["tenant_id", "merged_into_id"], "customer", ondelete=SET_NULL_MERGED),
        _enum("customer", "kind", "COMPANY", "PERSON"),
        _enum("customer", "status", "ACTIVE", "INACTIVE", "MERGED"),
        _ck("customer", "merged_into_status", "merged_into_id IS NULL OR status = 'MERGED'"),
        _ck("customer", "merged_into_self", "merged_into_id <> id"),
        _ck("customer", "birth_date_person", "birth_date IS NULL OR kind = 'PERSON'"),
    )
    op.create_table(
        "file_chunk",
        sa.Column("file_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        *_tenant("file_chunk"),
        sa.PrimaryKeyConstraint("file_id", "seq", name=op.f("pk_file_chunk")),
        _fk("file_chunk", ["tenant_id", "file_id"], "file", ondelete="CASCADE"),
        _ck("file_chunk", "seq", "seq >= 0"),
    )
    customer_fk = ["tenant_id", "customer_id"], "customer"
    _owned(
        "contact",
        sa.Column("customer_id", sa.UUID(), nullable=False, index=True),
        sa.Column("first_name", sa.String(100)),
        sa.Column("last_name", sa.String(100)),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(32)),
        sa.Column("job_title", sa.String(200)),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.false(), nullable=False),
        _fk("contact", *customer_fk, ondelete="CASCADE"),
        sa.Index(
            "uq_contact_tenant_id_lower_email", "tenant_id", sa.text("lower(email)"), unique=True
        ),
        sa.Index(
            "uq_contact_customer_id_is_primary",
            "customer_id",
            unique=True,
            postgresql_where=sa.text("is_primary"),
        ),
    )
    # Contracts and sites go with their customer, unless inventory still refers to them.
    _owned(
        "contract",
        sa.Column("customer_id", sa.UUID(), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300)),
        sa.Column("status", sa.String(16), server_default="ACTIVE", nullable=False),
        sa.Column("starts_on", sa.Date()),
        sa.Column("ends_on", sa.Date()),
        _fk("contract", *customer_fk, ondelete="CASCADE"),
        _uq("contract", "tenant_id", "number"),
        _uq("contract", "customer_id", "id"),
        _enum("contract", "status", "DRAFT", "ACTIVE", "SUSPENDED", "EXPIRED", "CANCELLED"),
        _ck("contract", "period", "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on"),
    )
    _owned(
        "site",
        sa.Column("customer_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        *_address(),
        _fk("site", *customer_fk, ondelete="CASCADE"),
        _uq("site", "customer_id", "name"),
        _uq("site", "customer_id", "id"),
    )
    item = "inventory_item"
    deferrable: dict[str, object] = {"deferrable": True, "initially": "IMMEDIATE"}
    _owned(
        item,
        sa.Column("customer_id", sa.UUID(), nullable=False, index=True),
        sa.Column("contract_id", sa.UUID(), nullable=False, index=True),
        sa.Column("site_id", sa.UUID(), nullable=False, index=True),
        sa.Column("product_type_id", sa.UUID(), nullable=False),
        sa.Column("serial_number", sa.String(128), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("notes", sa.Text()),
        sa.Column("status", sa.String(16), server_default="ACTIVE", nullable=False),
        sa.Column("replaced_by_id", sa.UUID(), index=True),
        # NO ACTION (not RESTRICT): checked at statement end, so a tenant delete cascades.
        _fk(item, *customer_fk),
        _fk(item, ["tenant_id", "product_type_id"], "product_type"),
        # Deferrable so that a merge can move contracts, sites and items in one transaction.
        _fk(item, ["customer_id", "contract_id"], "contract", **deferrable),
        _fk(item, ["customer_id", "site_id"], "site", **deferrable),
        _fk(item, ["tenant_id", "replaced_by_id"], item, ondelete="SET NULL (replaced_by_id)"),
        _uq(item, "tenant_id", "product_type_id", "serial_number"),
        _uq(item, "tenant_id", "id"),
        _enum(item, "status", "ACTIVE", "RETURNED", "REPLACED"),
        _ck(item, "replaced_by_status", "replaced_by_id IS NULL OR status = 'REPLACED'"),
        _ck(item, "replaced_by_self", "replaced_by_id <> id"),
    )


def _enable_row_level_security() -> None:
    # NULLIF: once a SET LOCAL ends the setting reads '' (not NULL), and ''::uuid would raise.
    # Plain LANGUAGE sql STABLE, no SECURITY DEFINER or SET clause, so the planner inlines it
    # and "tenant_id = clientbase_current_tenant()" can use the tenant indexes.
    op.execute(
        f"CREATE FUNCTION {CURRENT_TENANT} RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE "
        "AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$"
    )
    # FORCE: the policies apply to the table owner too; only superusers and BYPASSRLS skip them.
    for table in ("tenant", *TENANT_TABLES):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for table in TENANT_TABLES:
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} FOR ALL "
            f"USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"
        )
    op.execute(
        "CREATE POLICY tenant_self ON tenant FOR ALL "
        f"USING (id = {CURRENT_TENANT}) WITH CHECK (id = {CURRENT_TENANT})"
    )
    # Before a tenant is known: resolve a tenant by slug, or an API key by its hash.
    op.execute(
        "CREATE POLICY tenant_lookup ON tenant FOR SELECT "
        "USING (slug = NULLIF(current_setting('app.tenant_slug', true), ''))"
    )
    op.execute(
        "CREATE POLICY api_key_lookup ON api_key FOR SELECT "
        "USING (key_hash = NULLIF(current_setting('app.api_key_hash', true), ''))"
    )


def _if_role(condition: str, role_literal: str, statements: str) -> str:
    """A DO block running `statements` only if the role exists (or not): works offline too."""
    return (
        f"DO $$ BEGIN IF {condition} (SELECT FROM pg_roles WHERE rolname = {role_literal}) "
        f"THEN {statements} END IF; END $$"
    )


def _grant_app_role() -> None:
    role, role_literal = _app_role()
    # Roles are cluster-wide: create it only if missing, and never drop it on downgrade.
    create = f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;"
    op.execute(_if_role("NOT EXISTS", role_literal, create))
    read_write = ", ".join(t for t in ("tenant", *TENANT_TABLES) if t not in APPEND_ONLY_TABLES)
    op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {read_write} TO {role}")
    op.execute(f"GRANT SELECT, INSERT ON {', '.join(APPEND_ONLY_TABLES)} TO {role}")
    op.execute(f"GRANT EXECUTE ON FUNCTION {CURRENT_TENANT} TO {role}")


def downgrade() -> None:
    role, role_literal = _app_role()
    tables = ", ".join(("tenant", *TENANT_TABLES))
    revoke = (
        f"REVOKE ALL ON {tables} FROM {role}; "
        f"REVOKE ALL ON FUNCTION {CURRENT_TENANT} FROM {role}; "
        f"REVOKE USAGE ON SCHEMA public FROM {role};"
    )
    # Conditional, so that a role dropped by hand does not stop the downgrade.
    op.execute(_if_role("EXISTS", role_literal, revoke))
    # Policies, indexes and constraints go with their tables; children first.
    for table in (*reversed(TENANT_TABLES), "tenant"):
        op.drop_table(table)
    op.execute(f"DROP FUNCTION {CURRENT_TENANT}")
    # This revision created them (IF NOT EXISTS aside, the database is the app's own).
    for extension in reversed(EXTENSIONS):
        op.execute(f"DROP EXTENSION IF EXISTS {extension}")
