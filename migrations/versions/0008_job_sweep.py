"""Unfinished jobs readable across tenants by the reconciler, and nothing else.

The reconciler finds jobs through a Redis registry (services/jobs/outbox.py); a Redis that
lost its data loses the registry, and row-level security hides every tenant's jobs from a
session without a tenant. This policy lets a session that sets `app.job_sweep` to 'on'
read QUEUED and RUNNING jobs of every tenant (reads only: writes still need the tenant),
so the reconciler can put them back in the registry. A partial index serves that read.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-23 10:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED = "status IN ('QUEUED', 'RUNNING')"


def upgrade() -> None:
    op.execute(
        "CREATE POLICY unfinished_jobs_sweep ON job FOR SELECT "
        f"USING (current_setting('app.job_sweep', true) = 'on' AND {UNFINISHED})"
    )
    op.execute(f"CREATE INDEX ix_job_unfinished ON job (created_at) WHERE {UNFINISHED}")


def downgrade() -> None:
    op.execute("DROP INDEX ix_job_unfinished")
    op.execute("DROP POLICY unfinished_jobs_sweep ON job")
