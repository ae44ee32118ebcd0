"""`clientbase import` and `clientbase export`: start a job, follow it with a progress bar
until it ends, exit 1 unless it succeeded (an import may also end PARTIAL)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from clientbase.cli_support import console, errors, fail, progress_bar
from clientbase.core.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from clientbase.core.db import Database
    from clientbase.models.job import Job
    from clientbase.services.auth.principal import Principal
    from clientbase.workers.jobs import DramatiqJobQueue

T = TypeVar("T")
POLL_SECONDS = 0.5


@dataclass
class JobTools:
    """What a job command needs: the database, the tenant, who acts, and the job queue."""

    database: Database
    tenant_id: uuid.UUID
    actor: Principal
    queue: DramatiqJobQueue


@asynccontextmanager
async def job_tools(settings: Settings, tenant: str, label: str) -> AsyncIterator[JobTools]:
    import redis.asyncio as aioredis

    from clientbase.core.db import Database
    from clientbase.services.auth import service as auth
    from clientbase.services.auth.principal import Principal, Role
    from clientbase.workers.jobs import DramatiqJobQueue

    assert settings.database_url and settings.redis_url
    database = Database(settings.database_url, pool_size=2, max_overflow=0)
    redis = aioredis.from_url(settings.redis_url)
    try:
        async with database.session() as session:
            found = await auth.find_tenant(session, tenant)
            if found is None:
                raise auth.AuthError(f"no tenant {tenant!r}")
            tenant_id = found.id
        actor = Principal(tenant_id, Role.EDITOR, "SYSTEM", "cli", label)
        yield JobTools(database, tenant_id, actor, DramatiqJobQueue(redis))
    finally:
        await redis.aclose()
        await database.dispose()


async def submit(tools: JobTools, create: Callable[[AsyncSession], Awaitable[Job]]) -> Job:
    """Create the job in one transaction, tracked before and sent after its commit."""
    async with tools.database.session(tools.tenant_id) as session:
        job = await create(session)
        await tools.queue.track(tools.tenant_id, job.id)
        await session.commit()
    await tools.queue.send(tools.tenant_id, job.id)
    return job


async def follow(tools: JobTools, job_id: uuid.UUID, title: str,
                 describe: Callable[[Job], str]) -> Job:  # fmt: skip
    """A progress bar of the job until it ends; the job as it ended."""
    from clientbase.schema.ids import to_global_id
    from clientbase.services.jobs import service as jobs

    with progress_bar() as progress:
        task = progress.add_task(title, total=None)
        while True:
            async with tools.database.session(tools.tenant_id) as session:
                current = await jobs.get(session, job_id)
                assert current is not None
                session.expunge(current)  # keeps its values through the closing rollback
            description = f"{current.status.lower()} {title}: {describe(current)}"
            progress.update(task, total=current.total, completed=current.processed,
                            description=description)  # fmt: skip
            if jobs.is_final(current):
                break
            await asyncio.sleep(POLL_SECONDS)
    console.print(f"job {to_global_id('Job', job_id)}: {current.status}")
    if current.error:
        errors.print(f"[red]{current.error}[/]")
    return current


def run_job_command(main: Callable[[Settings], Coroutine[Any, Any, T]]) -> T:
    """Run `main` on the configured servers, or on embedded ones started for the purpose;
    known failures (no such tenant, a refused input) end the command with their message."""
    from clientbase.launcher import LauncherError, embedded_stack, export_urls
    from clientbase.services.auth.service import AuthError
    from clientbase.services.errors import DomainError

    settings = get_settings()
    try:
        stack = embedded_stack(settings)
    except LauncherError as exc:
        raise fail(str(exc)) from exc
    with stack.attached() if stack is not None else contextlib.nullcontext():
        try:
            return asyncio.run(main(export_urls(stack, settings)))
        except (AuthError, DomainError) as exc:
            raise fail(str(exc)) from exc


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
    from clientbase.schema.ids import to_global_id
    from clientbase.services.files import service as files
    from clientbase.services.imports import service as imports
    from clientbase.services.imports.catalog import ImportEntity
    from clientbase.services.imports.entities.base import ImportMode

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

    async def main(settings: Settings) -> str:
        async with job_tools(settings, tenant, f"import {path.name}") as tools:

            async def create(session: AsyncSession) -> Job:
                upload = await files.store_stream(session, tools.actor, path.name, None,
                                                  chunks(), "UPLOAD", size)  # fmt: skip
                return await imports.start_import(
                    session, tools.actor, file_id=upload.id, entity=chosen[0], mode=chosen[1],
                    dry_run=dry_run, file_format=file_format.upper() if file_format else None,
                )  # fmt: skip

            job = await submit(tools, create)
            current = await follow(
                tools, job.id, path.name,
                lambda j: f"{j.created:,} created, {j.updated:,} updated, "
                          f"{j.skipped:,} unchanged, {j.failed:,} failed",
            )  # fmt: skip
            report = imports.error_report_file_id(current)
            if report is not None:
                console.print(f"failed rows: /files/{to_global_id('File', report)}")
            return current.status

    with stream:
        status = run_job_command(main)
    if status in ("FAILED", "CANCELLED"):
        raise typer.Exit(code=1)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_LOGIC = {"and": "and_", "or": "or_", "not": "not_", "in": "in_"}


def filter_from_cli(text: str | None) -> dict[str, Any] | None:
    """A filter written as in GraphQL ({"code": {"startsWith": "C1"}, "or": [...]}, ids as
    UUIDs) in the services' spelling."""
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"--filter is not JSON: {exc.msg}") from exc
    if not isinstance(parsed, dict):
        raise fail("--filter must be a JSON object")

    def spelled(value: Any) -> Any:
        if isinstance(value, dict):
            return {_LOGIC.get(k, _CAMEL.sub("_", k).lower()): spelled(v) for k, v in value.items()}
        if isinstance(value, list):
            return [spelled(v) for v in value]
        return value

    return spelled(parsed)  # type: ignore[no-any-return]


def export_command(
    entity: Annotated[
        str, typer.Option(help="customers, contacts, sites, contracts or inventory-items.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")],
    file_format: Annotated[str, typer.Option("--format", help="csv, xlsx or jsonl.")] = "csv",
    filter_json: Annotated[
        str | None,
        typer.Option("--filter", help='As in GraphQL, e.g. \'{"code": {"startsWith": "C1"}}\'.'),
    ] = None,
    columns: Annotated[
        str | None, typer.Option(help="Comma-separated field names; all when omitted.")
    ] = None,
    search: Annotated[str | None, typer.Option(help="The connection's keyword search.")] = None,
    bom: Annotated[bool, typer.Option("--bom", help="CSV: a UTF-8 byte order mark.")] = False,
    tenant: Annotated[str, typer.Option(help="Tenant slug.")] = "dev",
) -> None:
    """Export an entity as a background job, follow it, then download the file to OUTPUT;
    exit 1 if it fails."""
    from clientbase.services.exports import service as exports
    from clientbase.services.exports.catalog import parse_entity
    from clientbase.services.exports.query import decode_filter
    from clientbase.services.files import service as files

    tree = filter_from_cli(filter_json)
    wanted = [c.strip() for c in columns.split(",") if c.strip()] if columns else None

    async def main(settings: Settings) -> str:
        async with job_tools(settings, tenant, f"export {entity}") as tools:
            chosen = parse_entity(entity)
            try:
                typed = decode_filter(chosen, tree)
            except ValueError as exc:
                raise fail(f"--filter: {exc}") from exc

            async def create(session: AsyncSession) -> Job:
                return await exports.start_export(
                    session, tools.actor, entity=chosen, file_format=file_format,
                    filter_tree=typed, columns=wanted, search=search, bom=bom,
                )  # fmt: skip

            job = await submit(tools, create)
            current = await follow(tools, job.id, f"export {chosen.value.lower()}",
                                   lambda j: f"{j.processed:,} rows")  # fmt: skip
            result = exports.result_of(current)
            if result is None:
                return current.status
            async with tools.database.session(tools.tenant_id) as session:
                with output.open("wb") as out:
                    async for chunk in files.open_chunks(session, result.file_id):
                        await asyncio.to_thread(out.write, chunk)
            console.print(f"{result.rows:,} rows written to {output}")
            return current.status

    if run_job_command(main) != "SUCCEEDED":
        raise typer.Exit(code=1)
