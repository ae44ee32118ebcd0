"""Redis restarted while the worker runs one import, others wait in the queue and one is
delayed: every job ends, none is lost; also when Redis comes back without its data (the
reconciler restores its registry from PostgreSQL and sends the jobs again)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from clientbase.core.db import Database
from clientbase.core.devstack import EmbeddedPostgres, EmbeddedRedis
from clientbase.models.job import Job, JobStatus
from clientbase.services.jobs.service import FINAL
from tests.faults.jobs import counters, customers_csv, job_broker, job_now, send, until
from tests.faults.processes import start_worker
from tests.helpers import committed_tenant
from tests.services.imports.helpers import start
from tests.stack import APP_ROLE

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


async def test_jobs_survive_a_redis_that_comes_back_empty(
    own_postgres: EmbeddedPostgres, own_redis: EmbeddedRedis, tmp_path: Path
) -> None:
    # Its own PostgreSQL: the registry is restored from every unfinished job there.
    app_url = own_postgres.app_url(APP_ROLE)
    database = Database(app_url, pool_size=2, max_overflow=0)
    broker = job_broker(own_redis.url)
    env = {"CLIENTBASE_DATABASE_URL": app_url, "CLIENTBASE_REDIS_URL": own_redis.url,
           "CLIENTBASE_IMPORT_PROCESSES": "0"}  # fmt: skip
    worker = None
    try:
        caller = await committed_tenant(database)
        running = await start(database, caller.tenant_id, customers_csv(LARGE))
        queued = [await start(database, caller.tenant_id,
                              customers_csv(SMALL, start=(i + 1) * LARGE)) for i in range(2)]  # fmt: skip
        delayed = await start(database, caller.tenant_id, customers_csv(SMALL, start=9 * LARGE))
        worker = await asyncio.to_thread(start_worker, tmp_path / "worker.log", **env)
        await send(broker, own_redis.url, caller.tenant_id, running.id)

        async def under_way() -> bool:
            return (await job_now(database, running)).processed >= 5_000

        await until(under_way, 60, "the large import under way")
        for job in queued:
            await send(broker, own_redis.url, caller.tenant_id, job.id)
        await send(broker, own_redis.url, caller.tenant_id, delayed.id, delay_ms=3_000)
        await asyncio.to_thread(own_redis.stop)
        for kept in own_redis.root_dir.glob("*.aof*"):  # everything Redis knew is gone
            if kept.is_dir():
                shutil.rmtree(kept)
            else:
                kept.unlink()
        await asyncio.to_thread(own_redis.start)
        jobs = [running, *queued, delayed]

        async def all_ended() -> bool:
            states = [(await job_now(database, job)).status for job in jobs]
            return all(state in FINAL for state in states)

        await until(all_ended, 120, "the end of every job")
        ended = [await job_now(database, job) for job in jobs]
        assert [counters(job) for job in ended] == [
            (JobStatus.SUCCEEDED, LARGE, LARGE, 0, 0, 0),
            *[(JobStatus.SUCCEEDED, SMALL, SMALL, 0, 0, 0)] * 3,
        ], worker.tail()
        assert "restored jobs missing from the registry" in worker.tail(1_000_000)
    finally:
        if worker is not None:
            worker.stop()
        await database.dispose()
