"""Fixtures on real servers: migrations once per run, each test in a rolled-back transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from clientbase.core.db import Database, TenantSession, create_engine
from tests.stack import TestStack, export_environment, start_test_stack

_STACK: TestStack | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Before collection: modules that build the Dramatiq broker read the settings on import.
    global _STACK
    if _STACK is None and not config.option.collectonly:
        _STACK = start_test_stack()
        export_environment(_STACK)
        from clientbase.core.config import get_settings

        get_settings.cache_clear()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _STACK
    if _STACK is not None:
        _STACK.stop()
        _STACK = None


@pytest.fixture(scope="session")
def stack() -> TestStack:
    assert _STACK is not None, "the test stack did not start"
    return _STACK


@pytest.fixture(scope="session")
async def owner_engine(stack: TestStack) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(stack.owner_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app_engine(stack: TestStack) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(stack.app_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(app_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session as the application role, no tenant set, rolled back after the test."""
    async with app_engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection,
            join_transaction_mode="create_savepoint",
            sync_session_class=TenantSession,
            expire_on_commit=False,
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
async def database(stack: TestStack) -> AsyncIterator[Database]:
    """A real Database whose commits persist; tests isolate themselves by tenant."""
    database = Database(stack.app_url, pool_size=2, max_overflow=0)
    yield database
    await database.dispose()


@pytest.fixture
async def export_database(stack: TestStack) -> AsyncIterator[Database]:
    """A Database with room for an export's sessions: reader, writer, progress, heartbeat."""
    database = Database(stack.app_url, pool_size=5, max_overflow=0)
    yield database
    await database.dispose()


@pytest.fixture
def worker() -> Iterator[Any]:
    """A Dramatiq worker in this process on the test Redis, its queues emptied first."""
    import dramatiq

    from clientbase.workers.actors import broker

    broker.flush_all()
    running = dramatiq.Worker(broker, worker_timeout=100, worker_threads=2)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@dataclass
class StatementCounter:
    statements: list[str]

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def count_statements() -> Iterator[StatementCounter]:
    """Counts the SQL statements any engine in this process sends, for N+1 guards."""
    counter = StatementCounter(statements=[])

    def _count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        counter.statements.append(statement)

    event.listen(Engine, "before_cursor_execute", _count)
    yield counter
    event.remove(Engine, "before_cursor_execute", _count)


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[Starlette]:
    from clientbase.app import create_app

    application = create_app()
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://clientbase.test") as http:
        yield http


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
