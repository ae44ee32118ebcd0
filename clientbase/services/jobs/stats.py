"""Job figures across all tenants for the metrics: how many jobs are in each status, how
long finished jobs took, how long the oldest queued job has waited.

They are read from the `job_metrics` view at scrape time, so they are right whatever the
number of worker processes, which keep no counters of their own.
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
    jobs: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, status) -> count
    durations: dict[tuple[str, str], Durations] = field(default_factory=dict)
    oldest_queued_seconds: float | None = None


def _stats_sql() -> str:
    duration = "extract(epoch FROM finished_at - started_at)"
    finished = "finished_at IS NOT NULL AND started_at IS NOT NULL"
    # The bounds are this module's constants, never input: plain numbers in the SQL text.
    buckets = ", ".join(
        f"count(*) FILTER (WHERE {finished} AND {duration} <= {bound!r}) AS le_{index}"
        for index, bound in enumerate(DURATION_BUCKETS)
    )
    return (
        "SELECT kind, status, count(*) AS jobs, "  # noqa: S608
        f"count(*) FILTER (WHERE {finished}) AS timed, "
        f"coalesce(sum({duration}) FILTER (WHERE {finished}), 0) AS seconds, {buckets}, "
        "extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'QUEUED')) AS waited "
        "FROM job_metrics GROUP BY kind, status"
    )


_STATS = text(_stats_sql())


async def job_stats(session: AsyncSession, *, timeout_ms: int) -> JobStats:
    """The figures, in one statement that PostgreSQL stops after `timeout_ms`."""
    stats = JobStats()
    async with session.begin():
        await session.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
        rows = (await session.execute(_STATS)).mappings().all()
    for row in rows:
        key = (row["kind"], row["status"])
        stats.jobs[key] = int(row["jobs"])
        if row["timed"]:
            stats.durations[key] = Durations(
                buckets=[int(row[f"le_{i}"]) for i in range(len(DURATION_BUCKETS))],
                total_seconds=float(row["seconds"]),
                count=int(row["timed"]),
            )
        if row["waited"] is not None:
            waited = float(row["waited"])
            stats.oldest_queued_seconds = max(stats.oldest_queued_seconds or 0.0, waited)
    return stats
