"""The real PostgreSQL and Redis the tests run against: given by URL, or started embedded."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from clientbase.core.db import to_async_url
from clientbase.core.devstack import DevStack
from clientbase.core.migrate import upgrade

APP_ROLE = "clientbase_app"


@dataclass
class TestStack:
    __test__ = False  # not a test class, despite its name

    owner_url: str
    app_url: str
    redis_url: str
    data_dir: Path
    embedded: DevStack | None = None
    created_database: str | None = None
    admin_url: str | None = field(default=None, repr=False)

    def stop(self) -> None:
        if self.created_database and self.admin_url:
            asyncio.run(_drop_database(self.admin_url, self.created_database))
        if self.embedded is not None:
            self.embedded.stop()
            if self.embedded.postgres is not None:
                # As root the cluster may live outside data_dir, where `nobody` can reach it.
                shutil.rmtree(self.embedded.postgres.root_dir, ignore_errors=True)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def plain_url(url: str) -> str:
    """`url` for libpq tools and asyncpg (no SQLAlchemy driver name)."""
    return str(make_url(to_async_url(url)).set(drivername="postgresql"))


async def _create_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(plain_url(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(plain_url(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def start_test_stack() -> TestStack:
    """Start (or attach to) the servers, make a fresh database and migrate it."""
    data_dir = Path(tempfile.mkdtemp(prefix="clientbase-test-"))
    given_db = os.environ.get("CLIENTBASE_TEST_DATABASE_URL")
    given_redis = os.environ.get("CLIENTBASE_TEST_REDIS_URL")
    embedded = None
    if not (given_db and given_redis):
        embedded = DevStack.in_directory(
            data_dir / "servers",
            with_postgres=not given_db,
            with_redis=not given_redis,
            durable=False,
        )
        embedded.start()
    stack = TestStack(owner_url="", app_url="", redis_url="", data_dir=data_dir, embedded=embedded)
    try:
        if given_db:
            # A fresh database per run: the migrations are tested from scratch every time.
            name = f"clientbase_test_{uuid.uuid4().hex[:10]}"
            asyncio.run(_create_database(given_db, name))
            stack.created_database, stack.admin_url = name, given_db
            stack.owner_url = str(make_url(to_async_url(given_db)).set(database=name))
        else:
            assert embedded is not None and embedded.postgres is not None
            stack.owner_url = embedded.postgres.owner_url
        stack.app_url = str(make_url(stack.owner_url).set(username=APP_ROLE, password=None))
        if given_redis:
            stack.redis_url = given_redis
        else:
            assert embedded is not None and embedded.redis is not None
            stack.redis_url = embedded.redis.url
        asyncio.run(upgrade(stack.owner_url, APP_ROLE))
    except BaseException:
        stack.stop()
        raise
    return stack


def export_environment(stack: TestStack) -> None:
    """Settings read by the app, the worker and the CLI under test."""
    os.environ.update(
        CLIENTBASE_ENVIRONMENT="test",
        CLIENTBASE_DATABASE_URL=stack.app_url,
        CLIENTBASE_MIGRATION_DATABASE_URL=stack.owner_url,
        CLIENTBASE_REDIS_URL=stack.redis_url,
        CLIENTBASE_EMBEDDED="0",
        CLIENTBASE_DATA_DIR=str(stack.data_dir / "app"),
        CLIENTBASE_APP_ROLE=APP_ROLE,
        # Tests start the job reconciler themselves, with their own intervals.
        CLIENTBASE_JOB_RECONCILE_INTERVAL_SECONDS="0",
    )
