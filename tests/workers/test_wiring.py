"""Worker wiring: the broker is Redis with the AsyncIO middleware, and every actor is declared."""

from __future__ import annotations

from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.asyncio import AsyncIO

from clientbase.workers import actors


def test_broker_is_redis_with_asyncio() -> None:
    assert isinstance(actors.broker, RedisBroker)
    assert any(isinstance(m, AsyncIO) for m in actors.broker.middleware)
    assert "record_api_key_use" in actors.broker.get_declared_actors()
