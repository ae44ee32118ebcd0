"""Database engines and sessions; every transaction of a session carries its tenant.

Row-level security in PostgreSQL compares each row's tenant_id with the
transaction-local setting `app.tenant_id`. A session bound to a tenant sets it at
the start of every transaction it begins, so commits inside a request or a job
never leave a transaction without its tenant.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, event, make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction

TENANT_KEY = "tenant_id"
_SET_TENANT = text("SELECT set_config('app.tenant_id', :tenant_id, true)")


class TenantSession(Session):
    """A Session whose transactions run with `app.tenant_id` set from `session.info`."""


@event.listens_for(TenantSession, "after_begin")
def _apply_tenant(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is not None:
        connection.execute(_SET_TENANT, {"tenant_id": str(tenant_id)})


async def bind_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Bind the session to a tenant, for the open transaction and every later one."""
    session.info[TENANT_KEY] = tenant_id
    if session.in_transaction():
        await session.execute(_SET_TENANT, {"tenant_id": str(tenant_id)})


def tenant_bound(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Bind the session to a tenant that a statement has already set for the open
    transaction (as API key sign-in does); later transactions set it themselves."""
    session.info[TENANT_KEY] = tenant_id


async def driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, in the session's open transaction (for
    COPY, which SQLAlchemy does not offer)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


def to_async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the asyncpg driver for them."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    server_settings: dict[str, str] | None = None,
    pre_ping: bool = True,
) -> AsyncEngine:
    """`server_settings` are PostgreSQL settings for every connection (timeouts). Without
    `pre_ping` a checkout costs no round trip, and the first statement on a connection whose
    server went away fails instead (`DBAPIError.connection_invalidated`); the engine then
    discards every connection made before, so one retry gets a live one."""
    return create_async_engine(
        to_async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pre_ping,
        connect_args={
            "server_settings": {"application_name": "clientbase", **(server_settings or {})}
        },
    )


def to_driver_url(url: str) -> str:
    """The URL for asyncpg itself (`postgresql://`), from any SQLAlchemy PostgreSQL URL."""
    parsed = make_url(to_async_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


async def _keep_session_state(_connection: Any) -> None:
    """Nothing to undo on release: the pool's users change settings only inside their own
    transactions (SET LOCAL), which end before it; asyncpg's default reset is a round trip."""


async def create_driver_pool(
    url: str, *, size: int, server_settings: dict[str, str] | None = None
) -> Any:
    """A plain asyncpg pool, for the few paths where SQLAlchemy's own work per statement is
    most of the request (compiled reads answered again). Its users must only run
    transactions that they end, and bind the tenant inside them as sessions do."""
    import asyncpg

    settings = {"application_name": "clientbase", **(server_settings or {})}
    return await asyncpg.create_pool(
        to_driver_url(url), min_size=1, max_size=size, server_settings=settings,
        reset=_keep_session_state,
    )  # fmt: skip


def create_sessionmaker(bind: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(bind, expire_on_commit=False, sync_session_class=TenantSession)


class Database:
    """An engine and its session factory, owned by one event loop."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 10,
        server_settings: dict[str, str] | None = None,
        pre_ping: bool = True,
    ) -> None:
        self.engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow,
                                    server_settings=server_settings, pre_ping=pre_ping)  # fmt: skip
        self.sessionmaker = create_sessionmaker(self.engine)

    @asynccontextmanager
    async def session(self, tenant_id: uuid.UUID | None = None) -> AsyncIterator[AsyncSession]:
        """A session that rolls back whatever its user did not commit."""
        async with self.sessionmaker() as session:
            if tenant_id is not None:
                session.info[TENANT_KEY] = tenant_id
            try:
                yield session
            finally:
                if session.in_transaction():
                    await session.rollback()

    async def dispose(self) -> None:
        await self.engine.dispose()


class DatabasePerLoop:
    """One Database per event loop: an asyncpg pool cannot cross loops (workers, tests)."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self._url = url
        self._options = engine_options
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Database] = (
            weakref.WeakKeyDictionary()
        )

    def get(self) -> Database:
        loop = asyncio.get_running_loop()
        database = self._by_loop.get(loop)
        if database is None:
            database = Database(self._url, **self._options)
            self._by_loop[loop] = database
        return database
