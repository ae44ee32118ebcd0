"""Worker wiring: the broker is Redis with the AsyncIO middleware, and every actor is declared."""

from __future__ import annotations

from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.asyncio import AsyncIO

from clientbase.workers import actors


def test_broker_is_redis_with_asyncio() -> None:
    assert isinstance(actors.broker, RedisBroker)
    assert any(isinstance(m, AsyncIO) for m in actors.broker.middleware)
    assert "record_api_key_use" in actors.broker.get_declared_actors()


def test_a_dead_workers_message_is_requeued_within_30_seconds_and_retried_a_few_times() -> None:
    # Dramatiq requeues a dead consumer's messages once its heartbeat is this old, during
    # maintenance, which runs on this share of the broker's commands.
    assert actors.broker.heartbeat_timeout <= 30_000
    assert actors.broker.maintenance_chance >= 10_000  # of 1,000,000: 1% or more
    options = actors.run_job_actor.options
    assert 3 <= options["max_retries"] <= 5 and options["max_backoff"] <= 60_000
