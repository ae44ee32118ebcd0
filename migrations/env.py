"""Alembic environment: runs the revisions on asyncpg, or on a connection the caller passes in.

The caller may set, on the alembic Config: attributes["connection"] (a sync Connection, e.g.
from AsyncConnection.run_sync), attributes["database_url"], attributes["app_role"], and
attributes["configure_logger"] = False to keep the application's logging untouched.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from clientbase.core.config import get_settings
from clientbase.models import Base

config = context.config
target_metadata = Base.metadata

# The revisions read the role to create and grant to from here (op.get_context().config).
config.attributes.setdefault("app_role", get_settings().app_role)

if (
    config.config_file_name is not None
    and config.attributes.get("configure_logger", True)
    and config.attributes.get("connection") is None
):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    url = config.attributes.get("database_url") or get_settings().owner_database_url
    if not url:
        raise RuntimeError(
            "No database URL for migrations: set CLIENTBASE_MIGRATION_DATABASE_URL (the schema "
            "owner) or CLIENTBASE_DATABASE_URL, or pass config.attributes['database_url']."
        )
    return str(url)


def _configure(**kwargs: object) -> None:
    context.configure(target_metadata=target_metadata, compare_type=True, **kwargs)


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: write the SQL out instead of running it."""
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    # NullPool: a one-off process, nothing to keep open afterwards.
    engine = create_async_engine(_database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(run_async_migrations())
    else:
        # Cookbook "connection sharing with asyncio": the caller is already inside an event
        # loop and hands over AsyncConnection.sync_connection via run_sync.
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
