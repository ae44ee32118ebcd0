"""`clientbase dev`: the whole system on one machine, PostgreSQL and Redis included.

Starts the embedded servers for whichever URL is not configured, applies the
migrations, makes sure a dev tenant and key exist (with demo customers on request, when
it has none), runs a worker in a child process and the API in this one, and stops all of
it on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from types import FrameType

import structlog
import uvicorn
from rich.console import Console
from rich.panel import Panel
from sqlalchemy import select

from clientbase.core.config import Settings, get_settings
from clientbase.core.db import Database
from clientbase.core.devstack import DevStack, die_with_parent
from clientbase.core.migrate import upgrade
from clientbase.models.customer import Customer
from clientbase.services import seed as seeding
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Role

log = structlog.get_logger(__name__)

DEV_TENANT = "dev"


class LauncherError(RuntimeError):
    pass


def embedded_stack(settings: Settings) -> DevStack | None:
    """The servers to start for the URLs that are missing, or an error if that is not allowed."""
    missing_db, missing_redis = not settings.database_url, not settings.redis_url
    if not (missing_db or missing_redis):
        return None
    if not settings.embedded:
        names = [n for n, m in (("CLIENTBASE_DATABASE_URL", missing_db),
                                ("CLIENTBASE_REDIS_URL", missing_redis)) if m]  # fmt: skip
        raise LauncherError(f"{' and '.join(names)} not set and CLIENTBASE_EMBEDDED=0")
    return DevStack.in_directory(
        settings.data_dir, with_postgres=missing_db, with_redis=missing_redis
    )


def export_urls(stack: DevStack | None, settings: Settings) -> Settings:
    """Publish the embedded servers' URLs to this process's settings and to its children."""
    if stack is not None and stack.postgres is not None:
        os.environ["CLIENTBASE_DATABASE_URL"] = stack.postgres.app_url(settings.app_role)
        os.environ["CLIENTBASE_MIGRATION_DATABASE_URL"] = stack.postgres.owner_url
    if stack is not None and stack.redis is not None:
        os.environ["CLIENTBASE_REDIS_URL"] = stack.redis.url
    get_settings.cache_clear()
    return get_settings()


async def ensure_dev_key(settings: Settings) -> str:
    """The dev tenant's admin key, kept in the data directory so each start can print it."""
    assert settings.database_url
    key_file = settings.data_dir / "dev-api-key"
    database = Database(settings.database_url, pool_size=1, max_overflow=0)
    try:
        async with database.session() as session:
            saved = key_file.read_text().strip() if key_file.exists() else None
            if saved and await auth.authenticate(session, saved) is not None:
                return saved
            await session.rollback()
            tenant = await auth.find_tenant(session, DEV_TENANT) or await auth.create_tenant(
                session, DEV_TENANT, "Development tenant"
            )
            issued = await auth.create_api_key(session, tenant, Role.ADMIN, name="dev key")
            await session.commit()
    finally:
        await database.dispose()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600)
    key_file.write_text(issued.secret + "\n")
    return issued.secret


async def seed_if_empty(settings: Settings, customers: int, slug: str = DEV_TENANT) -> float | None:
    """Seed the tenant with `customers` demo customers if it has none; the seconds it took,
    or None when nothing was seeded (a restart keeps its data as it is)."""
    assert settings.database_url
    database = Database(settings.database_url, pool_size=2, max_overflow=0)
    try:
        tenant_id, _ = await seeding.ensure_tenant(database, slug)
        async with database.session(tenant_id) as session:
            if await session.scalar(select(Customer.id).limit(1)) is not None:
                return None
        Console(stderr=True).print(f"Seeding {customers:,} demo customers into {slug}...")
        result = await seeding.seed_customers(database, tenant_id, customers, writers=2)
        return result.seconds
    finally:
        await database.dispose()


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "clientbase", "worker"],
        preexec_fn=die_with_parent(signal.SIGTERM),
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            # Its own shutdown timeout, and a little for it to exit.
            worker.wait(timeout=get_settings().worker_shutdown_seconds + 5)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def print_banner(settings: Settings, api_key: str) -> None:
    base = f"http://{settings.host}:{settings.port}"
    query = '{"query": "{ viewer { tenant { name } role } }"}'
    console = f"Console:   [bold]{base}/[/]\n" if settings.console_enabled else ""
    Console(stderr=True).print(
        Panel.fit(
            f"{console}GraphiQL:  [bold]{base}/graphql[/]\n"
            f"API key:   [bold]{api_key}[/]\n"
            f"Database:  {settings.database_url}\nRedis:     {settings.redis_url}\n\n"
            f"curl -s {base}/graphql -H 'Authorization: Bearer {api_key}' \\\n"
            f"     -H 'Content-Type: application/json' -d '{query}'\n\n"
            'In GraphiQL, add the header {"Authorization": "Bearer <key>"}.',
            title="clientbase is running",
        )
    )


def _exit_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    # uvicorn re-raises SIGTERM after its own shutdown; leave through sys.exit so that
    # the `finally` blocks below stop the worker and the servers.
    sys.exit(0)


def run_dev(with_worker: bool = True, seed: int = 0) -> None:
    settings = get_settings()
    stack = embedded_stack(settings)
    worker: subprocess.Popen[bytes] | None = None
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        if stack is not None:
            stack.start()
        settings = export_urls(stack, settings)
        assert settings.owner_database_url
        asyncio.run(upgrade(settings.owner_database_url, settings.app_role))
        api_key = asyncio.run(ensure_dev_key(settings))
        seconds = asyncio.run(seed_if_empty(settings, seed)) if seed > 0 else None
        if seconds is not None:
            Console(stderr=True).print(f"Seeded {seed:,} demo customers in {seconds:.1f} s.")
        if with_worker:
            worker = start_worker()
        print_banner(settings, api_key)
        uvicorn.run(
            "clientbase.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            timeout_graceful_shutdown=settings.api_shutdown_seconds,
        )
    finally:
        if worker is not None:
            stop_worker(worker)
        if stack is not None:
            stack.stop()
