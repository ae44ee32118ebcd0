"""The ids of every tenant's unfinished jobs, for the reconciler after Redis lost its data.

Row-level security hides each tenant's jobs from the application role; this function,
run as the schema owner, returns only (tenant id, job id) of QUEUED and RUNNING jobs, so
the registry of active jobs in Redis can be rebuilt from PostgreSQL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-17 10:00:00.000000+00:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = "clientbase_unfinished_jobs(integer)"


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
    # The owner is subject to the job table's forced row-level security too (unless it is
    # a superuser): this policy lets the owner, and so this function only, read the ids.
    op.execute("CREATE POLICY unfinished_jobs_sweep ON job FOR SELECT TO CURRENT_USER "
               "USING (status IN ('QUEUED', 'RUNNING'))")  # fmt: skip
    op.execute(
        "CREATE FUNCTION clientbase_unfinished_jobs(max_rows integer) "
        "RETURNS TABLE (tenant_id uuid, job_id uuid) "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$ "
        "SELECT j.tenant_id, j.id FROM public.job j WHERE j.status IN ('QUEUED', 'RUNNING') "
        "ORDER BY j.created_at LIMIT max_rows $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {FUNCTION} TO {_app_role()}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {FUNCTION}")
    op.execute("DROP POLICY unfinished_jobs_sweep ON job")
