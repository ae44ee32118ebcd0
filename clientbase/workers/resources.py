"""What actors share inside one worker process: its databases, one per event loop."""

from __future__ import annotations

from functools import lru_cache

from clientbase.core.config import get_settings
from clientbase.core.db import DatabasePerLoop


@lru_cache
def databases() -> DatabasePerLoop:
    settings = get_settings()
    if not settings.database_url:
        raise RuntimeError("CLIENTBASE_DATABASE_URL is not set for the worker")
    return DatabasePerLoop(settings.database_url, pool_size=settings.db_pool_size, max_overflow=0)
