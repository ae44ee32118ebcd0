"""A view of every tenant's jobs without their data, and an index, for the metrics of a
scrape.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-20 10:00:00.000000+00:00

Row-level security hides each tenant's jobs from a session without a tenant, as a scrape
of /metrics is. Like the search views of 0002, this view is owned by the migration role
(a superuser or a role with BYPASSRLS), so it reads the whole table; it shows only the
kind, status and times of each job, never its tenant, parameters or error. With a
migration role subject to the policies, the view is empty outside a tenant and the job
metrics read zero. A scrape reads the active jobs (through 0008's ix_job_unfinished) and
those finished in the last hour (through the partial index made here), so its cost does not
grow with the jobs the table keeps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEW = "job_metrics"


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
    op.execute(
        f"CREATE VIEW {VIEW} AS SELECT kind, status, created_at, started_at, finished_at "  # noqa: S608
        "FROM job"
    )
    op.execute(f"GRANT SELECT ON {VIEW} TO {_app_role()}")
    op.create_index(
        "ix_job_finished_at", "job", ["finished_at"],
        postgresql_where=sa.text("finished_at IS NOT NULL"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_job_finished_at", table_name="job")
    op.execute(f"DROP VIEW {VIEW}")
