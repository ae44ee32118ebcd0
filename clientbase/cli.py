"""The `clientbase` command: dev, serve, worker, migrate, tenants, API keys and the schema."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from typing import Annotated

import typer
from rich.table import Table

from clientbase.cli_admin import apikey_app, tenant_app
from clientbase.cli_support import console, database_settings, errors, fail
from clientbase.core.config import Settings, get_settings

app = typer.Typer(
    help="clientbase: customer registry and installed-base service.", no_args_is_help=True
)
app.add_typer(tenant_app, name="tenant")
app.add_typer(apikey_app, name="apikey")


@app.command()
def dev(worker: Annotated[bool, typer.Option(help="Also run a worker.")] = True) -> None:
    """Run everything: embedded servers unless URLs are set, migrations, a worker, the API."""
    from clientbase.launcher import LauncherError, run_dev

    try:
        run_dev(with_worker=worker)
    except LauncherError as exc:
        raise fail(str(exc)) from exc


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
) -> None:
    """Serve the API on configured PostgreSQL and Redis."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "clientbase.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


@app.command()
def worker(
    processes: Annotated[int | None, typer.Option()] = None,
    threads: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Run Dramatiq workers for every actor on the configured Redis."""
    settings = get_settings()
    argv = [
        sys.executable, "-m", "dramatiq", "clientbase.workers.actors",
        "--processes", str(processes or settings.worker_processes),
        "--threads", str(threads or settings.worker_threads),
    ]  # fmt: skip
    os.execv(sys.executable, argv)  # noqa: S606 - replace this process so signals reach dramatiq


@app.command()
def migrate(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply the database migrations (as the schema owner)."""
    from clientbase.core.migrate import upgrade

    with database_settings() as settings:
        if not settings.owner_database_url:
            raise fail("set CLIENTBASE_MIGRATION_DATABASE_URL or CLIENTBASE_DATABASE_URL")
        asyncio.run(
            upgrade(
                settings.owner_database_url,
                settings.app_role,
                revision,
                app_role_password=settings.app_role_password,
            )
        )
    console.print(f"migrated to {revision}")


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from clientbase.resolvers.root import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")


@app.command("seed")
def seed_command(
    customers: Annotated[int, typer.Option(min=1, help="How many customers to add.")],
    tenant: Annotated[str, typer.Option(help="Tenant slug; created if missing.")] = "dev",
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = 42,
    batch_size: Annotated[int, typer.Option(min=1, help="Customers per transaction.")] = 10_000,
    writers: Annotated[int, typer.Option(min=1, max=16, help="Connections loading batches.")] = 1,
) -> None:
    """Fill a tenant with realistic demo customers, contacts, sites, contracts and inventory."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from clientbase.core.db import Database
    from clientbase.services import seed as seeding
    from clientbase.services.auth.service import AuthError

    async def _seed(url: str) -> seeding.SeedResult:
        database = Database(url, pool_size=writers, max_overflow=0)
        try:
            tenant_id, created = await seeding.ensure_tenant(database, tenant)
            if created:
                console.print(f"tenant {tenant} created ({tenant_id})")
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TimeRemainingColumn())  # fmt: skip
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(f"seeding {tenant}", total=customers)
                return await seeding.seed_customers(
                    database, tenant_id, customers, seed=seed, batch_size=batch_size,
                    writers=writers, on_progress=lambda done: progress.advance(task, done),
                )  # fmt: skip
        finally:
            await database.dispose()

    with database_settings() as settings:
        if not settings.database_url:
            raise fail("set CLIENTBASE_DATABASE_URL")
        try:
            result = asyncio.run(_seed(settings.database_url))
        except AuthError as exc:
            raise fail(str(exc)) from exc
    table = Table("rows", "count", title=f"seeded {tenant}")
    for label, count in (("customers", result.customers), ("contacts", result.contacts),
                         ("sites", result.sites), ("contracts", result.contracts),
                         ("inventory items", result.items)):  # fmt: skip
        table.add_row(label, f"{count:,}")
    console.print(table)
    rate = result.customers / result.seconds if result.seconds else 0.0
    codes, took = f"{result.first_code}..{result.last_code}", f"{result.seconds:.1f} s"
    console.print(f"{result.customers:,} customers ({codes}) in {took} ({rate:,.0f}/s)")


@app.command("import")
def import_command(
    file: Annotated[str, typer.Argument(help="A CSV, XLSX or JSONL file.")],
    entity: Annotated[
        str,
        typer.Option(
            help="customers, contacts, sites, contracts, "
            "inventory-items, product-types, customer-categories "
            "or company-types."
        ),
    ],
    mode: Annotated[str, typer.Option(help="insert or upsert.")] = "insert",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check all, write nothing.")] = False,
    tenant: Annotated[str, typer.Option(help="Tenant slug.")] = "dev",
    file_format: Annotated[str | None, typer.Option("--format", help="csv, xlsx, jsonl.")] = None,
) -> None:
    """Upload FILE, import it as a background job, follow it to its end; exit 1 if it fails."""
    from pathlib import Path

    import redis.asyncio as aioredis
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from clientbase.core.db import Database, bind_tenant
    from clientbase.launcher import LauncherError, embedded_stack, export_urls
    from clientbase.schema.ids import to_global_id
    from clientbase.services.auth import service as auth
    from clientbase.services.auth.principal import Principal, Role
    from clientbase.services.errors import DomainError
    from clientbase.services.files import service as files
    from clientbase.services.imports import service as imports
    from clientbase.services.imports.catalog import ImportEntity
    from clientbase.services.imports.entities.base import ImportMode
    from clientbase.services.jobs import service as jobs
    from clientbase.workers.jobs import DramatiqJobQueue

    path = Path(file)
    if not path.is_file():
        raise fail(f"no file {file}")
    try:
        chosen = (ImportEntity(entity.upper().replace("-", "_")), ImportMode(mode.upper()))
    except ValueError as exc:
        raise fail(str(exc)) from exc

    size = path.stat().st_size
    stream = path.open("rb")  # read off the event loop, 1 MiB at a time

    async def chunks() -> AsyncIterator[bytes]:
        while block := await asyncio.to_thread(stream.read, 1 << 20):
            yield block

    async def _run(settings: Settings) -> str:
        assert settings.database_url and settings.redis_url
        database = Database(settings.database_url, pool_size=2, max_overflow=0)
        redis = aioredis.from_url(settings.redis_url)
        try:
            async with database.session() as session:
                found = await auth.find_tenant(session, tenant)
                if found is None:
                    raise auth.AuthError(f"no tenant {tenant!r}")
                await bind_tenant(session, found.id)
                actor = Principal(found.id, Role.EDITOR, "SYSTEM", "cli", f"import {path.name}")
                upload = await files.store_stream(session, actor, path.name, None, chunks(),
                                                  "UPLOAD", size)  # fmt: skip
                job = await imports.start_import(
                    session,
                    actor,
                    file_id=upload.id,
                    entity=chosen[0],
                    mode=chosen[1],
                    dry_run=dry_run,
                    file_format=file_format.upper() if file_format else None,
                )
                queue = DramatiqJobQueue(redis)
                await queue.track(found.id, job.id)
                await session.commit()
            await queue.send(found.id, job.id)
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TimeRemainingColumn())  # fmt: skip
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(f"import {path.name}", total=None)
                while True:
                    async with database.session(found.id) as session:
                        current = await jobs.get(session, job.id)
                        assert current is not None
                        # Read while the session is open: closing it expires the row.
                        session.expunge(current)
                    progress.update(
                        task,
                        total=current.total,
                        completed=current.processed,
                        description=f"{current.status.lower()} {path.name}: "
                        f"{current.created:,} created, {current.updated:,} updated, "
                        f"{current.skipped:,} unchanged, {current.failed:,} failed",
                    )
                    if jobs.is_final(current):
                        break
                    await asyncio.sleep(0.5)
            console.print(f"job {to_global_id('Job', job.id)}: {current.status}")
            if current.error:
                errors.print(f"[red]{current.error}[/]")
            report = imports.error_report_file_id(current)
            if report is not None:
                console.print(f"failed rows: /files/{to_global_id('File', report)}")
            return current.status
        finally:
            await redis.aclose()
            await database.dispose()

    settings = get_settings()
    try:
        stack = embedded_stack(settings)
    except LauncherError as exc:
        raise fail(str(exc)) from exc
    with stream, stack.attached() if stack is not None else contextlib.nullcontext():
        try:
            status = asyncio.run(_run(export_urls(stack, settings)))
        except (auth.AuthError, DomainError) as exc:
            raise fail(str(exc)) from exc
    if status in ("FAILED", "CANCELLED"):
        raise typer.Exit(code=1)
