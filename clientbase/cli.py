"""The `clientbase` command: dev, serve, worker, migrate, seed, import, export, tenants, API
keys and the schema."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Annotated

import typer
from rich.table import Table

from clientbase.cli_admin import apikey_app, tenant_app
from clientbase.cli_jobs import export_command, import_command
from clientbase.cli_support import console, database_settings, fail, progress_bar
from clientbase.core.config import get_settings

app = typer.Typer(
    help="clientbase: customer registry and installed-base service.", no_args_is_help=True
)
app.add_typer(tenant_app, name="tenant")
app.add_typer(apikey_app, name="apikey")


@app.command()
def dev(
    worker: Annotated[bool, typer.Option(help="Also run a worker.")] = True,
    seed: Annotated[
        int, typer.Option(min=0, help="Demo customers to add to the dev tenant if it has none.")
    ] = 0,
) -> None:
    """Run everything: embedded servers unless URLs are set, migrations, a worker, the API."""
    from clientbase.launcher import LauncherError, run_dev

    try:
        run_dev(with_worker=worker, seed=seed)
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
        # SIGTERM: stop accepting, let requests in flight finish, then close what is left
        # (subscriptions would otherwise hold the shutdown for ever).
        timeout_graceful_shutdown=settings.api_shutdown_seconds,
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
        # On SIGTERM, imports stop at their next chunk; anything else still running then is
        # requeued by Redis once this worker's heartbeat is stale.
        "--worker-shutdown-timeout", str(int(settings.worker_shutdown_seconds * 1000)),
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
    from clientbase.core.db import Database
    from clientbase.services import seed as seeding
    from clientbase.services.auth.service import AuthError

    async def _seed(url: str) -> seeding.SeedResult:
        database = Database(url, pool_size=writers, max_overflow=0)
        try:
            tenant_id, created = await seeding.ensure_tenant(database, tenant)
            if created:
                console.print(f"tenant {tenant} created ({tenant_id})")
            with progress_bar() as progress:
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


app.command("import")(import_command)
app.command("export")(export_command)
