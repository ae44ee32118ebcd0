"""Redis restarted while the worker runs one import, others wait in the queue and one is
delayed: every job ends, none is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

from clientbase.core.db import Database
from clientbase.core.devstack import EmbeddedRedis
from clientbase.models.job import Job, JobStatus
from clientbase.services.jobs.service import FINAL
from tests.faults.jobs import counters, customers_csv, job_broker, job_now, send, until
from tests.faults.processes import start_worker
from tests.helpers import committed_tenant
from tests.services.imports.helpers import start

LARGE, SMALL = 15_000, 300


async def test_jobs_running_queued_and_delayed_survive_a_redis_restart(
    database: Database, own_redis: EmbeddedRedis, tmp_path: Path
) -> None:
    caller = await committed_tenant(database)
    broker = job_broker(own_redis.url)
    running = await start(database, caller.tenant_id, customers_csv(LARGE))
    queued = [await start(database, caller.tenant_id, customers_csv(SMALL, start=(i + 1) * LARGE))
              for i in range(3)]  # fmt: skip
    delayed = await start(database, caller.tenant_id, customers_csv(SMALL, start=9 * LARGE))
    env = {"CLIENTBASE_REDIS_URL": own_redis.url, "CLIENTBASE_IMPORT_PROCESSES": "0"}
    worker = await asyncio.to_thread(start_worker, tmp_path / "worker.log", **env)
    try:
        await send(broker, own_redis.url, caller.tenant_id, running.id)

        async def under_way() -> bool:
            return (await job_now(database, running)).processed >= 5_000

        await until(under_way, 60, "the large import under way")
        for job in queued:
            await send(broker, own_redis.url, caller.tenant_id, job.id)
        await send(broker, own_redis.url, caller.tenant_id, delayed.id, delay_ms=3_000)
        port = own_redis.port
        await asyncio.to_thread(own_redis.stop)
        await asyncio.sleep(2)
        await asyncio.to_thread(own_redis.start)
        assert own_redis.port == port
        jobs = [running, *queued, delayed]

        async def all_ended() -> bool:
            states = [(await job_now(database, job)).status for job in jobs]
            return all(state in FINAL for state in states)

        await until(all_ended, 120, "the end of every job")
    finally:
        worker.stop()
    ended: list[Job] = [await job_now(database, job) for job in jobs]
    assert [counters(job) for job in ended] == [
        (JobStatus.SUCCEEDED, LARGE, LARGE, 0, 0, 0),
        *[(JobStatus.SUCCEEDED, SMALL, SMALL, 0, 0, 0)] * 4,
    ], worker.tail()
