"""What the `clientbase` commands share: consoles, clear failures, database settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from clientbase.core.config import Settings, get_settings

T = TypeVar("T")

console = Console()
errors = Console(stderr=True)


def progress_bar() -> Progress:
    """The commands' progress bar: what is going on, the bar, counts, time spent and left."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=console)  # fmt: skip


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
