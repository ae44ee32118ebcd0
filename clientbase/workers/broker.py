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
    settings = get_settings()
    url = settings.redis_url or DEFAULT_REDIS_URL
    # Dramatiq's defaults (60 s, maintenance on 0.1% of commands) left a dead worker's
    # message unclaimed for minutes; with these it is requeued within about the timeout.
    redis_broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=url,
        heartbeat_timeout=int(settings.broker_heartbeat_timeout_seconds * 1000),
        maintenance_chance=settings.broker_maintenance_chance,
    )
    redis_broker.add_middleware(AsyncIO())
    return redis_broker


broker = _make_broker()
dramatiq.set_broker(broker)
