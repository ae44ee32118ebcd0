"""Jobs through Dramatiq on the real Redis: the actor runs them, and the reconciler re-sends
those whose message never came."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import dramatiq
import pytest
import redis.asyncio as aioredis
from sqlalchemy import func

from clientbase.core.db import Database
from clientbase.models.job import JobStatus
from clientbase.services.jobs import reconciler
from clientbase.services.jobs.outbox import ActiveJobs
from clientbase.services.jobs.runner import JobRun
from clientbase.workers.actors import broker
from clientbase.workers.jobs import JOBS_QUEUE, DramatiqJobQueue, send_job
from clientbase.workers.reconciler import JobReconciler
from tests.helpers import committed_tenant
from tests.services.jobs.factories import committed_job, handler, read_job, sent_jobs
from tests.stack import TestStack


@pytest.fixture
async def redis(stack: TestStack) -> aioredis.Redis:
    client = aioredis.from_url(stack.redis_url)
    yield client
    await client.aclose()


async def _until(check: Callable[[], Awaitable[bool]], tries: int = 600) -> None:
    """Wait for `check` to hold; the bound only keeps a broken test from hanging."""
    for _ in range(tries):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def _export(run: JobRun) -> None:
    async with run.session() as session:
        await run.save_progress(session, total=3, processed=3, created=3)
        await session.commit()


async def test_a_sent_job_runs_on_a_worker(
    database: Database, redis: aioredis.Redis, worker: dramatiq.Worker
) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "EXPORT")
    queue = DramatiqJobQueue(redis)
    with handler("EXPORT", _export):
        await queue.track(caller.tenant_id, job.id)
        await queue.send(caller.tenant_id, job.id)
        await queue.send(caller.tenant_id, job.id)  # a duplicate message changes nothing
        await asyncio.to_thread(broker.join, JOBS_QUEUE, timeout=20_000)
        await asyncio.to_thread(worker.join)
    done = await read_job(database, caller.tenant_id, job.id)
    assert (done.status, done.processed, done.created) == (JobStatus.SUCCEEDED, 3, 3)


async def test_the_reconciler_sends_a_job_whose_message_was_lost(
    database: Database, redis: aioredis.Redis, worker: dramatiq.Worker
) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "EXPORT")
    registry = ActiveJobs(redis)
    await registry.add(caller.tenant_id, job.id)  # tracked before commit, then never sent
    loop = JobReconciler(interval=0.1, stale_after=0)

    async def finished() -> bool:
        return (await read_job(database, caller.tenant_id, job.id)).status == JobStatus.SUCCEEDED

    async def forgotten() -> bool:
        return not await registry.contains(caller.tenant_id, job.id)

    with handler("EXPORT", _export):
        loop.start()
        try:
            await _until(finished)
            await _until(forgotten)  # the next sweep drops the finished job from the registry
        finally:
            loop.stop()


async def test_a_sweep_resends_stale_jobs_once_and_drops_ended_ones(
    database: Database, redis: aioredis.Redis
) -> None:
    broker.flush(JOBS_QUEUE)
    caller = await committed_tenant(database)
    old = func.now() - timedelta(minutes=5)
    lost = await committed_job(database, caller.tenant_id, created_at=old)
    dead = await committed_job(database, caller.tenant_id, status="RUNNING", heartbeat_at=old)
    live = await committed_job(
        database, caller.tenant_id, status="RUNNING", heartbeat_at=func.now()
    )
    ended = await committed_job(database, caller.tenant_id, status="CANCELLED")
    rolled_back = uuid.uuid4()
    registry = ActiveJobs(redis, key=f"test:active:{uuid.uuid4()}")
    for job_id in (lost.id, dead.id, live.id, ended.id, rolled_back):
        await registry.add(caller.tenant_id, job_id, at=1.0)

    async def sweep() -> reconciler.Sweep:
        return await reconciler.sweep(database, registry, send_job,
                                      stale_after=timedelta(seconds=60))  # fmt: skip

    first = await sweep()
    assert set(first.resent) == {lost.id, dead.id}
    assert set(first.dropped) == {ended.id, rolled_back}
    assert sorted(j for _, j in sent_jobs()) == sorted([lost.id, dead.id])
    # Checked just now: nothing is due again before another `stale_after` has passed.
    second = await sweep()
    assert (second.checked, second.resent) == (0, [])
    assert await registry.contains(caller.tenant_id, live.id)
    broker.flush(JOBS_QUEUE)


async def test_jobs_a_redis_lost_come_back_from_postgresql(
    database: Database, redis: aioredis.Redis
) -> None:
    broker.flush(JOBS_QUEUE)
    caller, other = await committed_tenant(database), await committed_tenant(database)
    old = func.now() - timedelta(minutes=5)
    queued = await committed_job(database, caller.tenant_id, created_at=old)
    running = await committed_job(database, other.tenant_id, status="RUNNING", heartbeat_at=old)
    ended = await committed_job(database, caller.tenant_id, status="SUCCEEDED")
    # A new, empty registry: the Redis that held the old one lost its data.
    registry = ActiveJobs(redis, key=f"test:active:{uuid.uuid4()}")
    assert await reconciler.restore(database, registry) >= 2
    assert await registry.contains(caller.tenant_id, queued.id)
    assert await registry.contains(other.tenant_id, running.id)
    assert not await registry.contains(caller.tenant_id, ended.id)
    assert await reconciler.restore(database, registry) == 0  # nothing missing any more
    swept = await reconciler.sweep(database, registry, send_job, stale_after=timedelta(seconds=60),
                                   batch=100_000)  # fmt: skip
    assert {queued.id, running.id} <= set(swept.resent)
    broker.flush(JOBS_QUEUE)


async def test_the_sweep_policy_shows_no_finished_job_and_no_job_to_a_tenant(
    database: Database,
) -> None:
    from clientbase.services.jobs import repository

    caller = await committed_tenant(database)
    queued = await committed_job(database, caller.tenant_id)
    ended = await committed_job(database, caller.tenant_id, status="FAILED")
    async with database.session() as session:
        seen = {
            job_id for _, job_id in await repository.unfinished_in_every_tenant(session, 100_000)
        }
    assert queued.id in seen and ended.id not in seen
    # Without the setting, a session without a tenant still sees no job at all.
    async with database.session() as session:
        assert await repository.get_many(session, [queued.id]) == []
