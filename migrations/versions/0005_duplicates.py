"""Duplicate detection: candidate pairs, and the blocking indexes and view the matcher reads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00.000000+00:00

`duplicate_candidate` holds the pairs a scan found (ordered: customer_a_id < customer_b_id,
one row per pair), with the score, the reasons and both records' versions when scored, so
that a dismissed pair is proposed again only once one of them changes. Its customer
references are composite (tenant_id, id), as everywhere, so that a foreign-key check, which
bypasses row-level security, cannot cross tenants.

Blocking looks customers up by postal code plus name initials, and by birth date plus name
initials. The postal code is compared without case or punctuation ("01310-100" is
"01310100"), an expression index covers it, and the `customer_dedupe` view exposes it with
the tenant predicate written in, for the reason migration 0002 gives for its views. As in migration 0004, no index on
tenant_id alone: the unique and listing indexes lead with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_TENANT = "clientbase_current_tenant()"
TABLE = "duplicate_candidate"
# Frozen copy of models.customer.POSTAL_KEY.
POSTAL_KEY = "upper(regexp_replace(address_postal_code COLLATE \"C\", '[^0-9A-Za-z]+', '', 'g'))"


def _app_role() -> str:
    config = op.get_context().config
    role = config.attributes.get("app_role") if config is not None else None
    if not role:
        from clientbase.core.config import get_settings

        role = get_settings().app_role
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", role):
        raise ValueError(f"app_role must be a plain SQL identifier, got {role!r}")
    return '"' + role + '"'


def _customer_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], ["customer.tenant_id", "customer.id"],
        name=op.f(f"fk_{TABLE}_tenant_id_{column}_customer"), ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    # Partial: only rows with the value are looked up by it; the others skip the index.
    op.create_index(
        "ix_customer_tenant_id_postal_key", "customer",
        ["tenant_id", sa.text(POSTAL_KEY), "name_key"],
        postgresql_where=sa.text("address_postal_code IS NOT NULL"),
    )  # fmt: skip
    op.create_index(
        "ix_customer_tenant_id_birth_date", "customer", ["tenant_id", "birth_date", "name_key"],
        postgresql_where=sa.text("birth_date IS NOT NULL"),
    )  # fmt: skip
    op.create_table(
        TABLE,
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("customer_a_id", sa.UUID(), nullable=False),
        sa.Column("customer_b_id", sa.UUID(), nullable=False),
        sa.Column("version_a", sa.Integer(), nullable=False),
        sa.Column("version_b", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("status", sa.String(16), server_default="OPEN", nullable=False),
        sa.Column("cluster_id", sa.UUID()),
        sa.Column("job_id", sa.UUID()),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_by", sa.Text()),
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
        _customer_fk("customer_a_id"),
        _customer_fk("customer_b_id"),
        # The scan that last saw the pair; the job may be purged, the pair stays.
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f(f"fk_{TABLE}_job_id_job"), ondelete="SET NULL"
        ),
        sa.UniqueConstraint(
            "tenant_id", "customer_a_id", "customer_b_id",
            name=op.f(f"uq_{TABLE}_tenant_id_customer_a_id_customer_b_id"),
        ),
        sa.CheckConstraint("customer_a_id < customer_b_id", name=op.f(f"ck_{TABLE}_ordered")),
        sa.CheckConstraint(
            "status IN ('OPEN', 'DISMISSED', 'MERGED')", name=op.f(f"ck_{TABLE}_status")
        ),
        sa.CheckConstraint("band IN ('REVIEW', 'LIKELY')", name=op.f(f"ck_{TABLE}_band")),
        sa.Index(f"ix_{TABLE}_tenant_id_status_score", "tenant_id", "status", "score", "id"),
        sa.Index(f"ix_{TABLE}_customer_b_id", "customer_b_id"),
        sa.Index(f"ix_{TABLE}_cluster_id", "cluster_id"),
    )  # fmt: skip
    role = _app_role()
    # As in 0001: FORCE, so the owner is held to the policy too.
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {TABLE} FOR ALL "
        f"USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO {role}")
    op.execute(
        "CREATE VIEW customer_dedupe AS SELECT id, tenant_id, name_key, "  # noqa: S608
        f"{POSTAL_KEY} AS postal_key, birth_date FROM customer "
        f"WHERE tenant_id = {CURRENT_TENANT} AND status <> 'MERGED'"
    )
    op.execute(f"GRANT SELECT ON customer_dedupe TO {role}")


def downgrade() -> None:
    role = _app_role()
    exists = f"EXISTS (SELECT FROM pg_roles WHERE rolname = '{role[1:-1]}')"
    op.execute(
        f"DO $$ BEGIN IF {exists} THEN REVOKE ALL ON {TABLE}, customer_dedupe FROM {role}; "
        "END IF; END $$"
    )
    op.execute("DROP VIEW customer_dedupe")
    op.drop_table(TABLE)
    op.drop_index("ix_customer_tenant_id_birth_date", "customer")
    op.drop_index("ix_customer_tenant_id_postal_key", "customer")
