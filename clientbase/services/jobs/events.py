"""Job progress over Redis pub/sub: one channel per job, a small JSON snapshot per message.

Pub/sub keeps nothing for late listeners, so listeners subscribe before they read the
job and re-read it now and then; a message only says "look again".
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

CHANNEL_PREFIX = "clientbase:job:"


def channel(job_id: uuid.UUID) -> str:
    return f"{CHANNEL_PREFIX}{job_id}"


class Listener:
    """One job's channel, subscribed."""

    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub

    async def wait(self, seconds: float) -> dict[str, Any] | None:
        """The next message's snapshot (the latest, if several arrived), or None after
        `seconds` without one."""
        latest = None
        message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=seconds)
        while message is not None:
            latest = json.loads(message["data"])
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0)
        return latest


class JobEvents:
    """Publish and listen to job progress on a redis.asyncio client."""

    def __init__(self, redis: Any) -> None:
        self._redis = redis

    async def publish(self, job_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
        await self._redis.publish(channel(job_id), json.dumps(snapshot, default=str))

    @asynccontextmanager
    async def listen(self, job_id: uuid.UUID) -> AsyncIterator[Listener]:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(channel(job_id))
        try:
            yield Listener(pubsub)
        finally:
            await pubsub.aclose()
