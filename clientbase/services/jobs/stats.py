"""Job figures across all tenants for the metrics: how many jobs are queued or running, how
many ended in the last window and how long they took, and how long the oldest queued job
has waited.

They are read from the `job_metrics` view at scrape time, so they are right whatever the
number of worker processes, which keep no counters of their own. Both statements use
partial indexes (active jobs; finished_at), so a scrape costs the same on a table of
millions of old jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Upper bounds (seconds) of the duration buckets: from a small import to a night's export.
DURATION_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 24 * 3600.0)


@dataclass
class Durations:
    """A histogram's figures: cumulative counts per bucket bound, then sum and count."""

    buckets: list[int]
    total_seconds: float
    count: int


@dataclass
class JobStats:
    active: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, status) -> jobs
    # (kind, final status) -> durations of the jobs that ended within the window
    finished: dict[tuple[str, str], Durations] = field(default_factory=dict)
    oldest_queued_seconds: float | None = None


_ACTIVE = text(
    "SELECT kind, status, count(*) AS jobs, "
    "extract(epoch FROM now() - min(created_at)) AS waited "
    "FROM job_metrics WHERE status IN ('QUEUED', 'RUNNING') GROUP BY kind, status"
)


def _finished_sql() -> str:
    # A job that ended without starting (cancelled while queued) took no time.
    duration = "coalesce(extract(epoch FROM finished_at - started_at), 0)"
    # The bounds are this module's constants, never input: plain numbers in the SQL text.
    buckets = ", ".join(
        f"count(*) FILTER (WHERE {duration} <= {bound!r}) AS le_{index}"
        for index, bound in enumerate(DURATION_BUCKETS)
    )
    return (
        f"SELECT kind, status, count(*) AS jobs, sum({duration}) AS seconds, {buckets} "  # noqa: S608
        "FROM job_metrics WHERE finished_at IS NOT NULL "
        "AND finished_at >= now() - make_interval(secs => :window) GROUP BY kind, status"
    )


_FINISHED = text(_finished_sql())


async def job_stats(session: AsyncSession, *, window_seconds: float, timeout_ms: int) -> JobStats:
    """The figures, each statement stopped by PostgreSQL after `timeout_ms`."""
    stats = JobStats()
    async with session.begin():
        await session.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
        active = (await session.execute(_ACTIVE)).mappings().all()
        finished = (await session.execute(_FINISHED, {"window": window_seconds})).mappings()
        finished_rows = finished.all()
    for row in active:
        stats.active[(row["kind"], row["status"])] = int(row["jobs"])
        if row["status"] == "QUEUED":
            waited = float(row["waited"])
            stats.oldest_queued_seconds = max(stats.oldest_queued_seconds or 0.0, waited)
    for row in finished_rows:
        stats.finished[(row["kind"], row["status"])] = Durations(
            buckets=[int(row[f"le_{i}"]) for i in range(len(DURATION_BUCKETS))],
            total_seconds=float(row["seconds"]),
            count=int(row["jobs"]),
        )
    return stats
