"""SIGTERM: the worker stops its import at the next chunk and hands the job back, which a
new worker finishes as a clean run would; the API finishes the request in flight."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx

from clientbase.core.db import Database
from clientbase.core.devstack import EmbeddedRedis
from clientbase.models.job import JobStatus
from clientbase.services.auth.principal import Role
from clientbase.services.jobs.service import FINAL
from tests.faults.jobs import (
    clean_run,
    counters,
    customers_csv,
    job_broker,
    job_now,
    send,
    table_state,
    until,
)
from tests.faults.processes import start_api, start_worker
from tests.helpers import committed_tenant
from tests.services.imports.helpers import start
from tests.stack import TestStack

ROWS = 15_000
WAITING = """SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
    WHERE NOT l.granted AND l.relation = 'customer'::regclass
    AND a.application_name = 'clientbase'"""


async def test_a_stopped_worker_hands_its_import_back_at_a_chunk(
    database: Database, own_redis: EmbeddedRedis, stack: TestStack, tmp_path: Path
) -> None:
    caller = await committed_tenant(database)
    data = customers_csv(ROWS)
    job = await start(database, caller.tenant_id, data)
    env = {"CLIENTBASE_REDIS_URL": own_redis.url, "CLIENTBASE_IMPORT_PROCESSES": "0",
           # Only the hand-back may resume the job here, not the reconciler.
           "CLIENTBASE_JOB_STALE_AFTER_SECONDS": "600"}  # fmt: skip
    log = tmp_path / "worker.log"
    worker = await asyncio.to_thread(start_worker, log, **env)
    holder = await asyncpg.connect(stack.owner_url.replace("+asyncpg", ""))
    try:
        await send(job_broker(own_redis.url), own_redis.url, caller.tenant_id, job.id)

        async def first_chunk() -> bool:
            return (await job_now(database, job)).processed >= 5_000

        async def second_chunk_waits() -> bool:
            return bool(await holder.fetchval(WAITING))

        async def shutting_down() -> bool:
            return "Shutting down" in worker.tail(100_000)

        # The second chunk waits for the test's lock, inside its transaction, while the
        # worker is told to stop; then it may commit, and the import must stop there.
        await until(first_chunk, 60, "the first chunk")
        await holder.execute("BEGIN; LOCK TABLE customer IN SHARE ROW EXCLUSIVE MODE")
        await until(second_chunk_waits, 60, "the second chunk waiting")
        asked = time.monotonic()
        worker.terminate()
        await until(shutting_down, 30, "the worker shutting down")
        await holder.execute("COMMIT")
        code = await asyncio.to_thread(worker.wait, 60)
        print(f"worker stopped {time.monotonic() - asked:.1f} s after SIGTERM, exit code {code}")
        assert code == 0, worker.tail()
        handed_back = await job_now(database, job)
        # Stopped after the chunk it had begun, released for the next worker.
        assert handed_back.status == JobStatus.RUNNING
        assert handed_back.heartbeat_at is None
        assert handed_back.checkpoint is not None
        assert handed_back.checkpoint["rows"] == handed_back.processed == 10_000

        worker = await asyncio.to_thread(start_worker, log, **env)

        async def ended() -> bool:
            return (await job_now(database, job)).status in FINAL

        await until(ended, 90, "the end of the import on the next worker")
    finally:
        worker.stop()
        await holder.close()
    done = await job_now(database, job)
    reference = await committed_tenant(database)
    clean = await clean_run(database, reference.tenant_id, data)
    assert counters(done) == counters(clean) == (JobStatus.SUCCEEDED, ROWS, ROWS, 0, 0, 0)
    assert await table_state(database, caller.tenant_id) == await table_state(
        database, reference.tenant_id
    )


async def _slow_body(parts: int, pause: float, sent: asyncio.Event) -> AsyncIterator[bytes]:
    yield b"code,legal_name\n"
    for index in range(parts):
        if index == 1:
            sent.set()
        await asyncio.sleep(pause)
        yield f"S{index:05d},Empresa {index}\n".encode() * 500


async def test_a_stopped_api_finishes_the_request_in_flight(
    database: Database, tmp_path: Path
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    api, base = await asyncio.to_thread(start_api, tmp_path / "api.log")
    try:
        started = asyncio.Event()
        headers = {**caller.headers, "Content-Type": "text/csv", "X-Filename": "slow.csv"}
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            upload = asyncio.create_task(
                http.post("/files", content=_slow_body(12, 0.25, started), headers=headers))  # fmt: skip
            await started.wait()
            api.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            assert api.alive()  # still serving the upload
            response = await upload
        assert response.status_code == 201, response.text
        assert response.json()["size"] > 12 * 500 * 10
        # uvicorn re-raises SIGTERM once it has shut down.
        code = await asyncio.to_thread(api.wait, 30)
        assert code in (0, -signal.SIGTERM), api.tail()
    finally:
        api.stop()
