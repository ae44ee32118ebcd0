"""Token buckets in Redis: a caller's burst, its refill rate, and no effect on other callers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.ratelimit import TokenBucket
from tests.helpers import app_client, committed_tenant
from tests.stack import TestStack


def caller() -> Principal:
    return Principal(uuid.uuid4(), Role.READER, "API_KEY", str(uuid.uuid4()), "key")


@pytest.fixture
async def redis(stack: TestStack) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(stack.redis_url)
    yield client
    await client.aclose()


async def test_a_burst_then_a_wait_for_the_refill(redis: aioredis.Redis) -> None:
    bucket = TokenBucket(redis, "test", capacity=3, per_minute=60)
    noisy, quiet = caller(), caller()
    verdicts = [await bucket.spend(noisy) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts[:3]] == [2, 1, 0]
    assert 0 < verdicts[3].retry_after_seconds <= 1.0  # one token a second
    assert (await bucket.spend(quiet)).allowed


async def test_a_spend_larger_than_the_bucket_never_passes(redis: aioredis.Redis) -> None:
    bucket = TokenBucket(redis, "test", capacity=10, per_minute=10)
    verdict = await bucket.spend(caller(), 11)
    assert not verdict.allowed and verdict.retry_after_seconds == float("inf")


async def test_a_noisy_key_gets_429_and_others_do_not(database: Database) -> None:
    settings = get_settings().model_copy(update={"request_burst": 3, "requests_per_minute": 6})
    noisy = await committed_tenant(database, Role.READER)
    other = await committed_tenant(database, Role.READER)
    query = {"query": "{ viewer { role } }"}
    async with app_client(settings) as client:
        statuses = [(await client.post("/graphql", json=query, headers=noisy.headers)).status_code
                    for _ in range(3)]  # fmt: skip
        limited = await client.post("/graphql", json=query, headers=noisy.headers)
        assert statuses == [200, 200, 200]
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 10
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert (await client.get("/files/x", headers=noisy.headers)).status_code == 429
        assert (await client.post("/graphql", json=query, headers=other.headers)).status_code == 200
