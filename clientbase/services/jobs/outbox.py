"""The outbox of jobs: what is tracked before commit and sent after it.

Row-level security hides every tenant's jobs from a session without a tenant, and the
app role cannot bypass it, so the reconciler cannot ask PostgreSQL for "all stale jobs".
Instead each job is added to a Redis sorted set of active jobs (member "tenant:job",
score = when it was last sent or checked) BEFORE the transaction that creates it commits.
A crash between commit and send therefore leaves a trace; an entry whose transaction
rolled back finds no row later and is dropped. PostgreSQL stays the truth about each job;
the set only says where to look. A Redis that lost the set gets it back from PostgreSQL
(`reconciler.restore`), through a read-only policy for unfinished jobs (migration 0008).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

ACTIVE_KEY = "clientbase:jobs:active"

JobSender = Callable[[uuid.UUID, uuid.UUID], Awaitable[None]]  # (tenant_id, job_id)


class JobQueue(Protocol):
    """What the API is given to enqueue jobs: track before commit, send after it."""

    async def track(self, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None: ...

    async def send(self, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None: ...


def _member(tenant_id: uuid.UUID, job_id: uuid.UUID) -> str:
    return f"{tenant_id}:{job_id}"


def _parse(member: bytes | str) -> tuple[uuid.UUID, uuid.UUID]:
    text = member.decode() if isinstance(member, bytes) else member
    tenant, _, job = text.partition(":")
    return uuid.UUID(tenant), uuid.UUID(job)


class ActiveJobs:
    """The Redis registry of jobs not known to be finished, across all tenants."""

    def __init__(self, redis: Any, key: str = ACTIVE_KEY) -> None:
        self._redis = redis  # a redis.asyncio.Redis
        self._key = key

    async def add(self, tenant_id: uuid.UUID, job_id: uuid.UUID, at: float | None = None) -> None:
        await self._redis.zadd(self._key, {_member(tenant_id, job_id): at or time.time()})

    async def due(self, before: float, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Entries not sent nor checked since `before`, oldest first."""
        members = await self._redis.zrangebyscore(self._key, "-inf", before, start=0, num=limit)
        return [_parse(m) for m in members]

    async def restore(self, entries: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> int:
        """Add the entries the registry lacks (a Redis that lost its data), due at once;
        returns how many were missing."""
        mapping = {_member(t, j): 0.0 for t, j in entries}
        if not mapping:
            return 0
        return int(await self._redis.zadd(self._key, mapping, nx=True))

    async def touch(self, entries: Iterable[tuple[uuid.UUID, uuid.UUID]], at: float) -> None:
        mapping = {_member(t, j): at for t, j in entries}
        if mapping:
            await self._redis.zadd(self._key, mapping, xx=True)

    async def remove(self, entries: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> None:
        members = [_member(t, j) for t, j in entries]
        if members:
            await self._redis.zrem(self._key, *members)

    async def contains(self, tenant_id: uuid.UUID, job_id: uuid.UUID) -> bool:
        return await self._redis.zscore(self._key, _member(tenant_id, job_id)) is not None
