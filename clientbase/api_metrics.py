"""GET /metrics: Prometheus text of this API process, plus figures read at scrape time.

Requests and GraphQL operations are counted in the process. Job counts and durations come
from PostgreSQL and queue depths from Redis, each read within a timeout, so they are true
for any number of workers; `clientbase_metrics_source_up` says whether each read worked.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

import structlog
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from clientbase.core.config import Settings
from clientbase.core.db import Database
from clientbase.models.job import JobKind, JobStatus
from clientbase.services.jobs.stats import DURATION_BUCKETS, JobStats, job_stats

log = structlog.get_logger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
QueueDepths = Callable[[Any], Awaitable[dict[tuple[str, str], int]]]


class _Families(Collector):
    """A registry's collector for metric families made once per scrape."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def pool_families(database: Database) -> list[Metric]:
    pool: Any = database.engine.sync_engine.pool
    connections = GaugeMetricFamily(
        "clientbase_db_pool_connections",
        "Connections of this API process's pool, by state.",
        labels=("state",),
    )
    connections.add_metric(["checked_out"], pool.checkedout())
    connections.add_metric(["idle"], pool.checkedin())
    connections.add_metric(["overflow"], max(pool.overflow(), 0))
    size = GaugeMetricFamily("clientbase_db_pool_size", "Connections the pool keeps open.")
    size.add_metric([], pool.size())
    return [connections, size]


def read_pool_families(pool: Any) -> list[Metric]:
    """The asyncpg pool of compiled reads asked again (docs/compiled-reads.md)."""
    connections = GaugeMetricFamily(
        "clientbase_db_read_pool_connections",
        "Connections of this API process's pool for compiled reads asked again, by state.",
        labels=("state",),
    )
    idle = pool.get_idle_size()
    connections.add_metric(["in_use"], pool.get_size() - idle)
    connections.add_metric(["idle"], idle)
    return [connections]


def job_families(stats: JobStats, window_seconds: float) -> list[Metric]:
    jobs = GaugeMetricFamily(
        "clientbase_jobs",
        "Jobs of all tenants waiting or running now, by kind and status.",
        labels=("kind", "status"),
    )
    for job_kind in JobKind:  # zeros too: a series that disappears cannot be alerted on
        for active in (JobStatus.QUEUED, JobStatus.RUNNING):
            count = stats.active.get((job_kind.value, active.value), 0)
            jobs.add_metric([job_kind.value, active.value], count)
    window = f"in the last {window_seconds:g} s (CLIENTBASE_METRICS_JOB_WINDOW_SECONDS)"
    finished = GaugeMetricFamily(
        "clientbase_jobs_finished",
        f"Jobs of all tenants that ended {window}, by kind and final status.",
        labels=("kind", "status"),
    )
    durations = GaugeHistogramMetricFamily(
        "clientbase_job_duration_seconds",
        f"Run time (started to finished) of the jobs that ended {window}.",
        labels=("kind", "status"),
    )
    for (kind, status), figures in sorted(stats.finished.items()):
        finished.add_metric([kind, status], figures.count)
        buckets = [(repr(b), c) for b, c in zip(DURATION_BUCKETS, figures.buckets, strict=True)]
        buckets.append(("+Inf", figures.count))
        durations.add_metric([kind, status], buckets, figures.total_seconds)
    oldest = GaugeMetricFamily(
        "clientbase_job_oldest_queued_seconds",
        "How long the oldest QUEUED job has waited (0: none is queued).",
    )
    oldest.add_metric([], stats.oldest_queued_seconds or 0.0)
    return [jobs, finished, durations, oldest]


def queue_families(depths: dict[tuple[str, str], int]) -> list[Metric]:
    messages = GaugeMetricFamily(
        "clientbase_queue_messages",
        "Messages in each Dramatiq queue: ready, unacked (being worked on), delayed "
        "(waiting for a retry) or dead.",
        labels=("queue", "state"),
    )
    for (queue, state), count in sorted(depths.items()):
        messages.add_metric([queue, state], count)
    return [messages]


def metrics_route(settings: Settings, queue_depths: QueueDepths) -> Route:
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    timeout = settings.metrics_timeout_seconds
    window = settings.metrics_job_window_seconds

    async def read_jobs(database: Database) -> list[Metric]:
        async with asyncio.timeout(timeout), database.session() as session:
            stats = await job_stats(session, window_seconds=window, timeout_ms=int(timeout * 1000))
        return job_families(stats, window)

    async def read_queues(redis: Any) -> list[Metric]:
        async with asyncio.timeout(timeout):
            return queue_families(await queue_depths(redis))

    async def metrics(request: Request) -> Response:
        if token is not None and not _authorized(request, token):
            return PlainTextResponse(
                "A metrics token is required.\n", 401, {"www-authenticate": "Bearer"}
            )
        state = request.app.state
        up = GaugeMetricFamily(
            "clientbase_metrics_source_up",
            "Whether this scrape could read its figures from the source (1) or not (0).",
            labels=("source",),
        )
        families: list[Metric] = [*pool_families(state.database), up]
        if getattr(state, "read_pool", None) is not None:
            families += read_pool_families(state.read_pool)
        results = await asyncio.gather(
            read_jobs(state.database), read_queues(state.redis), return_exceptions=True
        )
        for source, result in zip(("postgres", "redis"), results, strict=True):
            if isinstance(result, BaseException):
                log.warning("metrics source unavailable", source=source, error=repr(result))
                up.add_metric([source], 0)
            else:
                up.add_metric([source], 1)
                families += result
        scrape = CollectorRegistry(auto_describe=False)
        scrape.register(_Families(families))
        body = generate_latest(REGISTRY) + generate_latest(scrape)
        return Response(body, media_type=CONTENT_TYPE)

    return Route("/metrics", metrics, methods=["GET"])


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)
