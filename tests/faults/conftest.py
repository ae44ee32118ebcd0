"""Fault tests: every test here is marked `faults` (select with -m faults, skip with
-m "not faults") and starts the servers or processes it breaks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from clientbase.core.devstack import DevStack, EmbeddedPostgres, EmbeddedRedis, free_port
from clientbase.core.migrate import upgrade
from tests.stack import APP_ROLE

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own (append-only file on), which it may stop and start."""
    redis = EmbeddedRedis(tmp_path / "redis", free_port())
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
async def own_postgres(tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    """A migrated PostgreSQL of this test's own, which it may stop and start."""
    servers = DevStack.in_directory(tmp_path / "servers", with_redis=False, durable=False)
    servers.start()
    try:
        assert servers.postgres is not None
        await upgrade(servers.postgres.owner_url, APP_ROLE)
        yield servers.postgres
    finally:
        servers.stop()
