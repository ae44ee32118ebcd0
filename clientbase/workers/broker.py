"""The Dramatiq broker on Redis, made once per process from the settings.

Actors bind to the broker when they are declared, so this module must be
imported (and CLIENTBASE_REDIS_URL set) before any actor module.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.asyncio import AsyncIO

from clientbase.core.config import get_settings

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _make_broker() -> RedisBroker:
    url = get_settings().redis_url or DEFAULT_REDIS_URL
    redis_broker = RedisBroker(url=url)  # type: ignore[no-untyped-call]
    redis_broker.add_middleware(AsyncIO())
    return redis_broker


broker = _make_broker()
dramatiq.set_broker(broker)
