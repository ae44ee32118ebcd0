"""Customer merges: the record of each merge, kept so that it can be undone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20 10:00:00.000000+00:00

One row per merge: the survivor, the merged customers, APPLIED or UNDONE, and the record
of what moved. The survivor reference is composite (tenant_id, id), as everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "customer_merge"
CURRENT_TENANT = "clientbase_current_tenant()"


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
        TABLE,
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("survivor_id", sa.UUID(), nullable=False),
        sa.Column("merged_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("status", sa.String(16), server_default="APPLIED", nullable=False),
        sa.Column("record", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("created_by", sa.Text()),
        sa.Column("undone_at", sa.DateTime(timezone=True)),
        sa.Column("undone_by", sa.Text()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{TABLE}_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "survivor_id"], ["customer.tenant_id", "customer.id"],
            name=op.f(f"fk_{TABLE}_tenant_id_survivor_id_customer"), ondelete="CASCADE",
        ),
        sa.CheckConstraint("status IN ('APPLIED', 'UNDONE')", name=op.f(f"ck_{TABLE}_status")),
        sa.Index(f"ix_{TABLE}_tenant_id_survivor_id", "tenant_id", "survivor_id"),
    )  # fmt: skip
    role = _app_role()
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {TABLE} FOR ALL "
        f"USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO {role}")


def downgrade() -> None:
    role = _app_role()
    exists = f"EXISTS (SELECT FROM pg_roles WHERE rolname = '{role[1:-1]}')"
    op.execute(f"DO $$ BEGIN IF {exists} THEN REVOKE ALL ON {TABLE} FROM {role}; END IF; END $$")
    op.drop_table(TABLE)
