"""Fixtures of the export tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from clientbase.core.db import Database
from tests.stack import TestStack


@pytest.fixture
async def export_database(stack: TestStack) -> AsyncIterator[Database]:
    """A Database with room for an export's sessions: reader, writer, progress, heartbeat."""
    database = Database(stack.app_url, pool_size=5, max_overflow=0)
    yield database
    await database.dispose()
