"""Drop tenant_id indexes that another index already leads with.

Every tenant table got an index on tenant_id alone; where a composite index starts with
tenant_id it serves the same lookups (and the tenant foreign key's cascade), so the lone
index only cost writes, and misled the planner into scanning a tenant's rows for lookups
the composite index answers directly.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09 10:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each of these tables has a unique or search index on (tenant_id, ...).
TABLES = ("audit_event", "company_type", "contact", "contract", "customer",
          "customer_category", "file", "inventory_item", "job", "product_type")  # fmt: skip


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_tenant_id", table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
