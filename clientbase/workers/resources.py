"""What actors share inside one worker process: its databases and Redis clients, one per
event loop (the AsyncIO middleware's loop, and the reconciler's)."""

from __future__ import annotations

import asyncio
import weakref
from functools import lru_cache

import redis.asyncio as aioredis

from clientbase.core.config import get_settings
from clientbase.core.db import DatabasePerLoop
from clientbase.services.jobs.events import JobEvents

_REDIS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)


@lru_cache
def databases() -> DatabasePerLoop:
    settings = get_settings()
    if not settings.database_url:
        raise RuntimeError("CLIENTBASE_DATABASE_URL is not set for the worker")
    return DatabasePerLoop(settings.database_url, pool_size=settings.db_pool_size, max_overflow=0)


def redis_client() -> aioredis.Redis:
    """This loop's Redis client: its connections belong to the loop that opened them."""
    loop = asyncio.get_running_loop()
    client = _REDIS.get(loop)
    if client is None:
        url = get_settings().redis_url
        if not url:
            raise RuntimeError("CLIENTBASE_REDIS_URL is not set for the worker")
        client = _REDIS[loop] = aioredis.from_url(url)
    return client


def job_events() -> JobEvents:
    return JobEvents(redis_client())
