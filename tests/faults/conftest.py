"""Fault tests: every test here is marked `faults` (select with -m faults, skip with
-m "not faults") and starts the servers or processes it breaks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clientbase.core.devstack import EmbeddedRedis, free_port

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
