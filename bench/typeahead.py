"""Benchmark: customerSearch over a tenant of 1,000,000 seeded customers.

    .venv/bin/python bench/typeahead.py [--customers 1000000] [--queries 1000] [--http 200]
                                        [--data-dir DIR] [--explain 5]

Starts embedded PostgreSQL and Redis under DIR (a temporary directory, removed at the end,
unless --data-dir is given: then the servers and the seeded tenant are kept and reused by
the next run, which skips the seeding). Seeds the tenant with the seed service (customers
with contacts, sites, contracts and inventory, as `clientbase seed` does), then runs
QUERIES realistic queries through the service function, one session per query as a request
has, and a smaller sample over HTTP through the ASGI app. The queries are drawn from the
seeded rows: prefixes of 3-8 letters of names, names with a typo, partial phones in local
formats, tax id fragments with and without punctuation, e-mails, contact names, codes.
Prints p50/p95/p99/max (ms), overall and per kind, and appends them to bench/RESULTS.md.
Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set
from typeahead_queries import MIX, sample_queries  # noqa: E402 - after the path is set

TENANT = "bench-typeahead"
# The seed writes customers of seven countries; the tenant's phones default to Brazil's.
TENANT_COUNTRY = "BR"
APP_ROLE = "clientbase_app"
WARM_UP = 100


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": ordered[-1]}


def line(label: str, samples: list[float]) -> str:
    figures = percentiles(samples)
    shown = " ".join(f"{k} {v:.1f}" for k, v in figures.items())
    return f"{label}: {shown} ms (n={len(samples)})"


async def seeded_tenant(
    app_url: str, owner_url: str, customers: int
) -> tuple[uuid.UUID, float | None]:
    """The benchmark tenant with `customers` customers, and the seconds spent seeding it
    (None when an earlier run had)."""
    from sqlalchemy import text

    from clientbase.core.db import Database, create_engine
    from clientbase.services import seed as seeding
    from clientbase.services.auth import service as auth

    database = Database(app_url, pool_size=2, max_overflow=0)
    try:
        tenant_id, _ = await seeding.ensure_tenant(database, TENANT)
        async with database.session(tenant_id) as session:
            have = int(await session.scalar(text("SELECT count(*) FROM customer")) or 0)
            tenant = await auth.get_tenant(session, tenant_id)
            assert tenant is not None
            await auth.set_default_country(session, tenant, TENANT_COUNTRY)
            await session.commit()
        seconds = None
        if have < customers:
            started, done = time.perf_counter(), have

            def progress(count: int) -> None:
                nonlocal done
                done += count
                if done % 50_000 < count:
                    print(
                        f"  seeded {done:,} customers in {time.perf_counter() - started:.0f} s",
                        flush=True,
                    )

            print(f"seeding {customers - have:,} customers into {TENANT}", flush=True)
            # Two writers: the word list's triggers never make them wait on each other.
            await seeding.seed_customers(
                database, tenant_id, customers - have, writers=2, on_progress=progress
            )
            seconds = time.perf_counter() - started
    finally:
        await database.dispose()
    owner = create_engine(owner_url, pool_size=1, max_overflow=0)
    try:
        async with owner.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM (ANALYZE) customer, contact"))
    finally:
        await owner.dispose()
    return tenant_id, seconds


async def time_service(
    app_url: str, tenant_id: uuid.UUID, queries: list[tuple[str, str, str, str]]
) -> list[tuple[str, str, float, int, bool]]:
    from clientbase.core.db import Database
    from clientbase.services.normalise import name_key
    from clientbase.services.search.service import search_customers

    database = Database(app_url, pool_size=2, max_overflow=0)
    results = []
    try:
        for index, (kind, query, code, meant) in enumerate(queries):
            async with database.session(tenant_id) as session:
                # Timed as a request would wait for it: with its session's first statement.
                started = time.perf_counter()
                hits = await search_customers(session, tenant_id, query)
                elapsed = (time.perf_counter() - started) * 1000
                names = [(hit.customer.code, hit.customer.legal_name) for hit in hits]
            codes = {code for code, _ in names}
            keys = [name_key(name).split() for _, name in names]
            if index >= WARM_UP:
                # A typo is forgiven when the name meant is among the hits, whichever of the
                # customers with that name it is; the other queries must find their own row.
                words = set(name_key(meant).split())
                found = code in codes or bool(meant and any(words <= set(k) for k in keys))
                results.append((kind, query, elapsed, len(hits), found))
    finally:
        await database.dispose()
    return results


async def reader_key(label: str) -> str:
    """A new READER key of the bench tenant (the settings name the servers)."""
    from clientbase.core.config import get_settings
    from clientbase.core.db import Database
    from clientbase.services.auth import service as auth
    from clientbase.services.auth.principal import Role

    get_settings.cache_clear()
    settings = get_settings()
    assert settings.database_url
    database = Database(settings.database_url, pool_size=1, max_overflow=0)
    try:
        async with database.session() as session:
            tenant = await auth.find_tenant(session, TENANT)
            assert tenant is not None
            issued = await auth.create_api_key(session, tenant, Role.READER, label)
            await session.commit()
    finally:
        await database.dispose()
    return issued.secret


async def time_http(tenant_id: uuid.UUID, queries: list[tuple[str, str, str, str]]) -> list[float]:
    import httpx

    from clientbase.app import create_app

    secret = await reader_key("typeahead bench")
    body = (
        "query($q: String!) { customerSearch(query: $q) { customer { id code legalName } "
        "matchedOn score } }"
    )
    headers = {"Authorization": f"Bearer {secret}"}
    app = create_app()
    samples = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for index, (_, query, _, _) in enumerate(queries):
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", headers=headers, json={"query": body, "variables": {"q": query}}
                )
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200 and "errors" not in response.json(), (
                    response.text
                )
                if index >= WARM_UP // 4:
                    samples.append(elapsed)
    return samples


async def explain(app_url: str, tenant_id: uuid.UUID, queries: list[str]) -> None:
    """EXPLAIN ANALYZE the statements a search runs for each of `queries`."""
    from sqlalchemy import text

    from clientbase.core.db import Database
    from clientbase.services.search import service
    from clientbase.services.search.probe import probe
    from clientbase.services.search.statements import ranked

    database = Database(app_url, pool_size=1, max_overflow=0)
    try:
        for query in queries:
            async with database.session(tenant_id) as session:
                dialect = session.get_bind().dialect
                found = probe(query, TENANT_COUNTRY)
                assert found is not None
                shapes = [service.key_lookups(found)]
                if found.name:
                    groups = await service.word_groups(session, found.name.split())
                    if groups:
                        shapes.append(service.word_lookups(found.name, groups))
                runs = [ranked(lookups).params(**values, first=20) for lookups, values in shapes]
                print(f"\n--- {query!r}")
                for stmt in runs:
                    sql = stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
                    plan = await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))
                    print("\n".join(row[0] for row in plan))
    finally:
        await database.dispose()


@contextlib.contextmanager
def bench_servers(data_dir: Path | None) -> Iterator[tuple[str, str]]:
    """Embedded servers, migrated, their URLs in this process's settings: (owner, app) URLs.
    Under `data_dir` they stay for the next run (with its seeded tenant); else temporary."""
    from clientbase.core.devstack import DevStack
    from clientbase.core.migrate import upgrade

    directory = data_dir or Path(tempfile.mkdtemp(prefix="clientbase-bench-"))
    # Not durable (no fsync): the data can always be seeded again, and seeding is faster.
    stack = DevStack.in_directory(directory / "servers", durable=False)
    stack.start()
    try:
        assert stack.postgres is not None and stack.redis is not None
        owner_url, app_url = stack.postgres.owner_url, stack.postgres.app_url(APP_ROLE)
        os.environ.update(
            CLIENTBASE_DATABASE_URL=app_url,
            CLIENTBASE_REDIS_URL=stack.redis.url,
            CLIENTBASE_MIGRATION_DATABASE_URL=owner_url,
            CLIENTBASE_EMBEDDED="0",
            CLIENTBASE_ENVIRONMENT="test",
            CLIENTBASE_LOG_LEVEL="WARNING",
            CLIENTBASE_DATA_DIR=str(directory / "app"),
            # One key sends every timed request: no request rate limit in a benchmark.
            CLIENTBASE_REQUESTS_PER_MINUTE="0",
        )
        asyncio.run(upgrade(owner_url, APP_ROLE))
        yield owner_url, app_url
    finally:
        stack.stop()
        if data_dir is None:
            shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--http", type=int, default=200, help="queries over HTTP")
    parser.add_argument("--data-dir", type=Path, help="keep servers and data here for reuse")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest queries")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()

    with bench_servers(args.data_dir) as (owner_url, app_url):
        tenant_id, seeding = asyncio.run(seeded_tenant(app_url, owner_url, args.customers))
        queries = asyncio.run(sample_queries(app_url, tenant_id, args.queries + WARM_UP))
        timed = asyncio.run(time_service(app_url, tenant_id, queries))
        http = asyncio.run(time_http(tenant_id, queries[: args.http + WARM_UP // 4]))
        report(args, timed, http, seeding)
        if args.explain:
            slowest = sorted(timed, key=lambda t: -t[2])[: args.explain]
            asyncio.run(explain(app_url, tenant_id, [t[1] for t in slowest]))


def report(
    args: argparse.Namespace,
    timed: list[tuple[str, str, float, int, bool]],
    http: list[float],
    seeding: float | None,
) -> None:
    seeded = f"seeded in {seeding:.0f} s" if seeding is not None else "seeded by an earlier run"
    lines = [f"{args.customers:,} customers, {seeded} (2 writers)"]
    lines.append(line(f"service, {len(timed)} queries", [t[2] for t in timed]))
    for kind in MIX:
        of_kind = [t for t in timed if t[0] == kind]
        share = 100 * sum(t[4] for t in of_kind) / len(of_kind)
        lines.append(f"  {line(kind, [t[2] for t in of_kind])}; found {share:.0f}%")
    empty = sum(1 for t in timed if t[3] == 0)
    lines.append(f"  queries with no hit: {empty} of {len(timed)}")
    lines.append(line(f"HTTP (ASGI, in process), {len(http)} queries", http))
    slow = sorted(timed, key=lambda t: -t[2])[:5]
    lines.append("  slowest: " + ", ".join(f"{t[1]!r} ({t[0]}) {t[2]:.1f}" for t in slow))
    print("\n".join(lines))
    if args.no_record:
        return
    results.record(
        f"Customer typeahead, {args.customers:,} customers",
        "embedded PostgreSQL 18; goal p95 <= 20 ms",
        lines,
        "Service: search_customers in a session of its own, as a request has; HTTP: POST"
        " /graphql through the app in process, API key checked. Found: the customer a query"
        " was drawn from is among its hits (for a typo, a customer of the name meant); three"
        " letters or four last digits are shared by many customers.",
    )


if __name__ == "__main__":
    main()
