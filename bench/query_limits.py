"""Benchmark: what hostile documents cost the API with its query limits, beside a small query
and beside the same documents with the limits lifted.

    .venv/bin/python bench/query_limits.py [--rounds 30] [--no-record]

Starts embedded PostgreSQL and Redis in a temporary directory, migrates, makes a tenant and
a key, and sends each document through the ASGI app in process (as the HTTP part of
bench/typeahead.py does): `{ viewer { role } }` as the yardstick, then documents over each
limit. The peer is the same app with the limits raised out of the way. Prints p50 (ms) and
the ratios, and appends them to bench/RESULTS.md. Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set

APP_ROLE = "clientbase_app"
LIFTED = {"max_query_depth": 1000, "max_aliases": 100_000, "max_tokens": 1_000_000,
          "max_directives_per_field": 100_000, "max_document_chars": 10_000_000,
          "max_list_input": 100_000, "max_query_cost": 10**12, "query_cost_per_minute": 0,
          "requests_per_minute": 0, "max_request_bytes": 100 * 1024**2}  # fmt: skip


def documents() -> dict[str, tuple[str, dict[str, Any]]]:
    chain = ["contacts(first: 1)", "nodes", "customer"]
    deep = ['customerByCode(code: "none")', *(chain[i % 3] for i in range(30)), "id"]
    return {
        "5,000 aliases of __typename (89 KB)": (
            "{ " + " ".join(f"a{i}: __typename" for i in range(5000)) + " }", {}),
        "300 aliases of viewer { role }": (
            "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(300)) + " }", {}),
        "300 directives on one field": ("{ __typename " + "@a " * 300 + "}", {}),
        "depth 31": ("{ " + " { ".join(deep) + " }" * (len(deep) - 1) + " }", {}),
        "cost 1,000,100 (first: 100 x 100 x 100)": (
            "{ customers(first: 100) { nodes { contacts(first: 100) { nodes { customer {"
            " contacts(first: 100) { nodes { id } } } } } } } }", {}),
        "10,000 ids in a variable": (
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": [f"id{i}" for i in range(10_000)]}),
    }  # fmt: skip


async def measure(settings: Any, headers: dict[str, str], rounds: int) -> dict[str, float]:
    import httpx

    from clientbase.app import create_app

    app = create_app(settings)
    timings: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            cases = {"yardstick { viewer { role } }": ("{ viewer { role } }", {}), **documents()}
            for label, (query, variables) in cases.items():
                samples = []
                for index in range(rounds + 3):
                    started = time.perf_counter()
                    body = {"query": query, "variables": variables}
                    response = await client.post("/graphql", headers=headers, json=body)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 200, response.text[:300]
                    if index >= 3:
                        samples.append(elapsed)
                timings[label] = statistics.median(samples)
                errors = response.json().get("errors") or []
                print(f"  {label}: {timings[label]:.2f} ms;",
                      errors[0]["message"][:90] if errors else "ran", flush=True)  # fmt: skip
    return timings


async def make_key() -> str:
    from clientbase.core.config import get_settings
    from clientbase.core.db import Database
    from clientbase.services.auth import service as auth
    from clientbase.services.auth.principal import Role

    url = get_settings().database_url
    assert url
    database = Database(url, pool_size=1, max_overflow=0)
    try:
        async with database.session() as session:
            tenant = await auth.create_tenant(session, "bench-limits")
            issued = await auth.create_api_key(session, tenant, Role.READER, "bench")
            await session.commit()
    finally:
        await database.dispose()
    return issued.secret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()

    from clientbase.core.devstack import DevStack
    from clientbase.core.migrate import upgrade

    data_dir = Path(tempfile.mkdtemp(prefix="clientbase-bench-"))
    stack = DevStack.in_directory(data_dir / "servers", durable=False)
    stack.start()
    try:
        assert stack.postgres is not None and stack.redis is not None
        owner_url, app_url = stack.postgres.owner_url, stack.postgres.app_url(APP_ROLE)
        os.environ.update(
            CLIENTBASE_DATABASE_URL=app_url, CLIENTBASE_REDIS_URL=stack.redis.url,
            CLIENTBASE_MIGRATION_DATABASE_URL=owner_url, CLIENTBASE_EMBEDDED="0",
            CLIENTBASE_ENVIRONMENT="test", CLIENTBASE_LOG_LEVEL="ERROR",
            CLIENTBASE_DATA_DIR=str(data_dir / "app"),
        )  # fmt: skip
        asyncio.run(upgrade(owner_url, APP_ROLE))
        from clientbase.core.config import get_settings

        get_settings.cache_clear()
        headers = {"Authorization": f"Bearer {asyncio.run(make_key())}"}
        print("with the default limits")
        # The request bucket is still asked every time, but never refuses.
        unthrottled = {"requests_per_minute": 10**9, "request_burst": 10**9}
        limited = asyncio.run(
            measure(get_settings().model_copy(update=unthrottled), headers, args.rounds)
        )
        print("with the limits lifted")
        lifted = asyncio.run(
            measure(get_settings().model_copy(update=LIFTED), headers, args.rounds)
        )
    finally:
        stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    report(args, limited, lifted)


def report(args: argparse.Namespace, limited: dict[str, float], lifted: dict[str, float]) -> None:
    yardstick = next(iter(limited))
    ratio = limited[yardstick] / lifted[yardstick]
    lines = [f"- {yardstick}: {limited[yardstick]:.2f} ms with the limits, "
             f"{lifted[yardstick]:.2f} ms without ({ratio:.2f}x)"]  # fmt: skip
    for label in list(limited)[1:]:
        lines.append(
            f"- {label}: refused in {limited[label]:.2f} ms "
            f"({limited[label] / limited[yardstick]:.1f}x the yardstick); without the limits "
            f"{lifted[label]:.2f} ms ({lifted[label] / limited[label]:.1f}x the refusal)"
        )
    print("\n".join(lines))
    if args.no_record:
        return
    results.record(f"Query limits: hostile documents, p50 over {args.rounds} requests",
                   "ASGI app in process, embedded PostgreSQL and Redis",
                   [line.removeprefix("- ") for line in lines])  # fmt: skip


if __name__ == "__main__":
    main()
