"""Benchmark: what the metrics cost. A small GraphQL query through the app with its request
and operation metrics, against the same app without them; and GET /metrics over an empty
job table and over JOBS jobs, against GET /healthz.

    .venv/bin/python bench/metrics.py [--requests 300] [--rounds 5] [--jobs 100000]

Starts embedded PostgreSQL and Redis in a temporary directory (removed at the end), runs
the app in process (httpx over ASGI, as bench/typeahead.py does), alternates the two apps
request by request so that both meet the same machine load, prints medians and ratios, and
appends them to bench/RESULTS.md. Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set
from typeahead import TENANT, bench_servers, reader_key  # noqa: E402

QUERY = {"query": "query BenchViewer { viewer { role tenant { name } } }"}


class _Passthrough:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@contextmanager
def without_metrics() -> Iterator[None]:
    """create_app() builds an app whose request and operation metrics do nothing."""
    from strawberry.extensions import SchemaExtension

    import clientbase.app as application

    saved = application.HttpMetricsMiddleware, application.OperationMetrics
    application.HttpMetricsMiddleware = _Passthrough  # type: ignore[assignment,misc]
    application.OperationMetrics = SchemaExtension  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        application.HttpMetricsMiddleware, application.OperationMetrics = saved  # type: ignore[misc]


async def timed(client: Any, count: int, method: str, path: str, **kwargs: Any) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = await client.request(method, path, **kwargs)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return samples


async def request_overhead(requests: int, rounds: int) -> tuple[list[float], list[float]]:
    import httpx

    from clientbase.app import create_app

    headers = {"Authorization": f"Bearer {await reader_key('metrics bench')}"}
    with_app = create_app()
    with without_metrics():
        bare_app = create_app()
    measured: list[float] = []
    bare: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for app in (with_app, bare_app):
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url="http://b")
            clients.append(await stack.enter_async_context(client))
        for client in clients:  # warm both: caches, pools
            await timed(client, 50, "POST", "/graphql", json=QUERY, headers=headers)
        # Alternate request by request: both apps meet the same moment of a shared machine.
        for index in range(rounds * requests * 2):
            order = clients if index % 4 < 2 else clients[::-1]
            samples = await timed(order[index % 2], 1, "POST", "/graphql", json=QUERY,
                                  headers=headers)  # fmt: skip
            (measured if order[index % 2] is clients[0] else bare).extend(samples)
    return measured, bare


TENANTS = (
    "INSERT INTO tenant (id, slug, name) SELECT gen_random_uuid(), 'bench-jobs-' || n, "
    "'Bench jobs ' || n FROM generate_series(1, 10) n"
)
# One job in 50 QUEUED; the others SUCCEEDED after 0-599 s, ended over the last 30 days
# (so about 1 in 720 within the metrics' hour), over the ten tenants.
JOBS = (
    "INSERT INTO job (id, tenant_id, kind, status, started_at, finished_at) "
    "SELECT gen_random_uuid(), t.id, (ARRAY['IMPORT', 'EXPORT', 'DUPLICATE_SCAN'])[1 + n % 3], "
    "CASE WHEN n % 50 = 0 THEN 'QUEUED' ELSE 'SUCCEEDED' END, "
    "CASE WHEN n % 50 = 0 THEN NULL ELSE now() - n % 43200 * interval '1 minute' END, "
    "CASE WHEN n % 50 = 0 THEN NULL "
    "ELSE now() - n % 43200 * interval '1 minute' + n % 600 * interval '1 second' END "
    "FROM generate_series(1, :count) n JOIN (SELECT id, row_number() OVER () - 1 AS i "
    "FROM tenant WHERE slug LIKE 'bench-jobs-%') t ON t.i = n % 10"
)


async def add_jobs(owner_url: str, count: int) -> None:
    """`count` finished and queued jobs over ten tenants, written as the schema owner."""
    from sqlalchemy import text

    from clientbase.core.db import create_engine

    engine = create_engine(owner_url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(TENANTS))
            await connection.execute(text(JOBS), {"count": count})
            await connection.execute(text("ANALYZE job"))
    finally:
        await engine.dispose()


async def scrapes(count: int) -> tuple[list[float], list[float]]:
    import httpx

    from clientbase.app import create_app

    app = create_app()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:
            await timed(client, 5, "GET", "/metrics")
            metrics, healthz = [], []
            for _ in range(count):
                metrics += await timed(client, 1, "GET", "/metrics")
                healthz += await timed(client, 1, "GET", "/healthz")
    return metrics, healthz


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per app per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--scrapes", type=int, default=50)
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()

    with bench_servers(None) as (owner_url, app_url):

        async def prepare() -> None:
            from clientbase.core.db import Database
            from clientbase.services import seed as seeding

            database = Database(app_url, pool_size=1, max_overflow=0)
            try:
                await seeding.ensure_tenant(database, TENANT)
            finally:
                await database.dispose()

        asyncio.run(prepare())
        measured, bare = asyncio.run(request_overhead(args.requests, args.rounds))
        empty, healthz_empty = asyncio.run(scrapes(args.scrapes))
        started = time.perf_counter()
        asyncio.run(add_jobs(owner_url, args.jobs))
        inserted = time.perf_counter() - started
        full, healthz_full = asyncio.run(scrapes(args.scrapes))

    lines = [
        f"POST /graphql `BenchViewer`, {len(measured)} requests each: with the metrics "
        f"median {median(measured):.2f} ms, without {median(bare):.2f} ms "
        f"({median(measured) / median(bare):.3f}x)",
        f"GET /metrics, empty job table: median {median(empty):.2f} ms "
        f"({median(empty) / median(healthz_empty):.1f}x GET /healthz at "
        f"{median(healthz_empty):.2f} ms)",
        f"GET /metrics, {args.jobs:,} jobs (inserted in {inserted:.1f} s): median "
        f"{median(full):.2f} ms, max {max(full):.2f} ms "
        f"({median(full) / median(healthz_full):.1f}x GET /healthz at "
        f"{median(healthz_full):.2f} ms)",
    ]
    print("\n".join(f"- {line}" for line in lines))
    if not args.no_record:
        results.record("Metrics cost", "embedded PostgreSQL 18, app in process", lines)


if __name__ == "__main__":
    main()
