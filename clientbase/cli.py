"""The `clientbase` command: dev, serve, worker, migrate, tenants, API keys and the schema."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from clientbase.core.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from clientbase.models.api_key import ApiKey
    from clientbase.services.auth.service import IssuedKey

T = TypeVar("T")

app = typer.Typer(
    help="clientbase: customer registry and installed-base service.", no_args_is_help=True
)
tenant_app = typer.Typer(help="Manage tenants.", no_args_is_help=True)
apikey_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(apikey_app, name="apikey")
console = Console()
errors = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/] {message}")
    return typer.Exit(code=1)


@contextmanager
def database_settings() -> Iterator[Settings]:
    """Settings with database URLs: configured ones, or the embedded dev server's."""
    from clientbase.launcher import LauncherError, embedded_stack, export_urls

    settings = get_settings()
    try:
        stack = embedded_stack(settings.model_copy(update={"redis_url": "unused"}))
    except LauncherError as exc:
        raise fail(str(exc)) from exc
    if stack is None:
        yield settings
        return
    with stack.attached():
        yield export_urls(stack, settings)


def run_in_session(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    from clientbase.core.db import Database

    async def _main() -> T:
        assert settings.database_url
        database = Database(settings.database_url, pool_size=1, max_overflow=0)
        try:
            async with database.session() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await database.dispose()

    return asyncio.run(_main())


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


@tenant_app.command("create")
def tenant_create(
    slug: str, name: Annotated[str | None, typer.Option(help="Display name.")] = None
) -> None:
    """Create a tenant."""
    from clientbase.services.auth import service as auth

    with database_settings() as settings:
        try:
            tenant = run_in_session(settings, lambda s: auth.create_tenant(s, slug, name))
        except auth.AuthError as exc:
            raise fail(str(exc)) from exc
    console.print(f"tenant {tenant.slug} created ({tenant.id})")


@apikey_app.command("create")
def apikey_create(
    tenant: Annotated[str, typer.Option(help="Tenant slug.")],
    role: Annotated[str, typer.Option(help="reader, editor or admin.")] = "reader",
    name: Annotated[str, typer.Option(help="What the key is for.")] = "api key",
) -> None:
    """Create an API key and print it once; only its hash is stored."""
    from clientbase.services.auth import service as auth
    from clientbase.services.auth.principal import Role

    try:
        chosen = Role(role)
    except ValueError as exc:
        raise fail(f"--role must be one of {', '.join(r.value for r in Role)}") from exc

    async def _create(session: AsyncSession) -> IssuedKey:
        found = await auth.find_tenant(session, tenant)
        if found is None:
            raise auth.AuthError(f"no tenant {tenant!r}")
        return await auth.create_api_key(session, found, chosen, name)

    with database_settings() as settings:
        try:
            issued = run_in_session(settings, _create)
        except auth.AuthError as exc:
            raise fail(str(exc)) from exc
    errors.print(f"API key {issued.api_key.id} ({chosen.value}) for {tenant}; shown once:")
    console.print(issued.secret)


@apikey_app.command("list")
def apikey_list(tenant: Annotated[str, typer.Option(help="Tenant slug.")]) -> None:
    """List a tenant's API keys (never their secrets)."""
    from clientbase.core.db import bind_tenant
    from clientbase.services.auth import service as auth

    async def _list(session: AsyncSession) -> list[ApiKey]:
        found = await auth.find_tenant(session, tenant)
        if found is None:
            raise auth.AuthError(f"no tenant {tenant!r}")
        await bind_tenant(session, found.id)
        return list(await auth.list_api_keys(session))

    with database_settings() as settings:
        try:
            keys = run_in_session(settings, _list)
        except auth.AuthError as exc:
            raise fail(str(exc)) from exc
    table = Table("id", "name", "prefix", "role", "last used", "revoked")
    for key in keys:
        table.add_row(str(key.id), key.name, key.prefix, key.role,
                      str(key.last_used_at or ""), str(key.revoked_at or ""))  # fmt: skip
    console.print(table)


@apikey_app.command("revoke")
def apikey_revoke(
    tenant: Annotated[str, typer.Option(help="Tenant slug.")], key_id: uuid.UUID
) -> None:
    """Revoke an API key at once."""
    from clientbase.core.db import bind_tenant
    from clientbase.services.auth import service as auth

    async def _revoke(session: AsyncSession) -> ApiKey | None:
        found = await auth.find_tenant(session, tenant)
        if found is None:
            raise auth.AuthError(f"no tenant {tenant!r}")
        await bind_tenant(session, found.id)
        return await auth.revoke_api_key(session, key_id)

    with database_settings() as settings:
        try:
            revoked = run_in_session(settings, _revoke)
        except auth.AuthError as exc:
            raise fail(str(exc)) from exc
    if revoked is None:
        raise fail(f"no API key {key_id} in tenant {tenant}")
    console.print(f"revoked {key_id}")


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from clientbase.resolvers.root import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")
