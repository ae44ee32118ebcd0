"""Imports: per-row errors and the record of what each import changed (for rollback).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 11:02:00.000000+00:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("import_row_error", "import_change")
CURRENT_TENANT = "clientbase_current_tenant()"


def _common(table: str) -> list[sa.schema.SchemaItem]:
    """id, tenant and job references shared by both tables (frozen here, not imported)."""
    return [
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f(f"fk_{table}_job_id_job"), ondelete="CASCADE"
        ),
        sa.Index(op.f(f"ix_{table}_tenant_id"), "tenant_id"),
        sa.Index(f"ix_{table}_job_id_row_number", "job_id", "row_number"),
    ]  # fmt: skip


def _app_role() -> str:
    config = op.get_context().config
    role = config.attributes.get("app_role") if config is not None else None
    if not role:
        from clientbase.core.config import get_settings

        role = get_settings().app_role
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", role):
        raise ValueError(f"app_role must be a plain SQL identifier, got {role!r}")
    return '"' + role + '"'


def upgrade() -> None:
    op.create_table(
        "import_row_error",
        *_common("import_row_error"),
        sa.Column("column", sa.Text()),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raw", postgresql.JSONB()),
    )
    op.create_table(
        "import_change",
        *_common("import_change"),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("record_id", sa.UUID(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("before", postgresql.JSONB()),
        sa.CheckConstraint(
            "action IN ('CREATED', 'UPDATED')", name=op.f("ck_import_change_action")
        ),
    )
    role = _app_role()
    for table in TABLES:
        # As in 0001: FORCE, so the owner is held to the policy too.
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} FOR ALL "
            f"USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"
        )
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")


def downgrade() -> None:
    role = _app_role()
    # Conditional, as in 0001, so that a role dropped by hand does not stop the downgrade;
    # the name was checked to be a plain identifier.
    exists = f"EXISTS (SELECT FROM pg_roles WHERE rolname = '{role[1:-1]}')"
    for table in reversed(TABLES):
        op.execute(
            f"DO $$ BEGIN IF {exists} THEN REVOKE ALL ON {table} FROM {role}; END IF; END $$"
        )
        op.drop_table(table)
