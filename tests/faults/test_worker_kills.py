"""kill -9 of the worker at seeded random points of a 100,000-row customer import: the job
ends SUCCEEDED, and the table and the job's counters equal those of a clean run."""

from __future__ import annotations

import asyncio
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from clientbase.core.db import Database
from clientbase.core.devstack import EmbeddedPostgres, EmbeddedRedis
from clientbase.models.job import Job, JobStatus
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
from tests.faults.processes import Child, start_worker
from tests.helpers import committed_tenant
from tests.services.imports.helpers import start
from tests.stack import APP_ROLE

ROWS = 100_000
# Another seed picks other kill points: CLIENTBASE_FAULT_SEED=7 pytest tests/faults
SEED = int(os.environ.get("CLIENTBASE_FAULT_SEED", "20261123"))
KILLS = int(os.environ.get("CLIENTBASE_FAULT_KILLS", "10"))


def kill_points(rng: random.Random) -> list[tuple[int, float]]:
    """(rows committed, then seconds more) before each kill: anywhere from the spooling of
    the file to the last chunks, landing inside a chunk, its commit, or between two."""
    rows = sorted(rng.sample(range(0, ROWS - 15_000, 500), KILLS))
    return [(r, round(rng.uniform(0.0, 1.5), 2)) for r in rows]


async def _kill_at_points(database: Database, job: Job, points: list[tuple[int, float]],
                          launch: object) -> list[tuple[int, float]]:  # fmt: skip
    """Kill the worker at each point; (rows committed at the kill, seconds until the next
    worker claimed the job) per kill."""
    worker: Child = await asyncio.to_thread(launch)  # type: ignore[arg-type]
    kills: list[tuple[int, float]] = []
    try:
        for rows, more in points:

            async def reached(rows: int = rows) -> bool:
                now = await job_now(database, job)
                return now.processed >= rows or now.status in FINAL

            await until(reached, 120, f"{rows} rows committed")
            await asyncio.sleep(more)
            now = await job_now(database, job)
            assert now.status not in FINAL, (
                f"the job ended before kill {len(kills) + 1}: {counters(now)}; kills {kills}"
            )
            worker.kill()
            killed, killed_at = time.monotonic(), datetime.now(UTC)
            worker = await asyncio.to_thread(launch)  # type: ignore[arg-type]

            async def resumed(since: datetime = killed_at) -> bool:
                # Claimed again (the claim stamps the heartbeat): the next kill may come
                # before this run commits anything, so a fast import cannot outrun them.
                later = await job_now(database, job)
                beat = later.heartbeat_at
                return (beat is not None and beat > since) or later.status in FINAL

            await until(resumed, 120, "the job claimed again after the kill")
            kills.append((now.processed, round(time.monotonic() - killed, 1)))

        async def ended() -> bool:
            return (await job_now(database, job)).status in FINAL

        await until(ended, 180, "the end of the job")
    finally:
        worker.stop()
    return kills


async def _clean_run_apart(app_url: str, data: bytes) -> tuple[Job, tuple[int, str]]:
    database = Database(app_url, pool_size=2, max_overflow=0)
    try:
        reference = await committed_tenant(database)
        clean = await clean_run(database, reference.tenant_id, data)
        return clean, await table_state(database, reference.tenant_id)
    finally:
        await database.dispose()


async def test_an_import_survives_kill_9s_of_its_worker(
    database: Database,
    own_redis: EmbeddedRedis,
    own_postgres: EmbeddedPostgres,
    tmp_path: Path,
) -> None:
    points = kill_points(random.Random(SEED))
    print(f"seed {SEED}; kill -9 after (rows committed, seconds more): {points}")
    data = customers_csv(ROWS)
    caller = await committed_tenant(database)
    job = await start(database, caller.tenant_id, data)
    await send(job_broker(own_redis.url), own_redis.url, caller.tenant_id, job.id)
    log = tmp_path / "worker.log"

    def launch() -> Child:
        return start_worker(log, CLIENTBASE_REDIS_URL=own_redis.url)

    started = time.monotonic()
    # The clean run meanwhile, filling the seconds spent waiting for restarts: on a
    # PostgreSQL of its own (these workers' reconciler would take a job it sees running
    # with a heartbeat slower than their stale time), on an event loop of its own (on this
    # one it would delay the kill points).
    kills, (clean, clean_state) = await asyncio.gather(
        _kill_at_points(database, job, points, launch),
        asyncio.to_thread(asyncio.run, _clean_run_apart(own_postgres.app_url(APP_ROLE), data)),
    )
    print(f"(rows committed, seconds until claimed again) per kill: {kills}; "
          f"{time.monotonic() - started:.0f} s in all")  # fmt: skip
    done = await job_now(database, job)
    assert done.status == JobStatus.SUCCEEDED, f"{done.error}\n{log.read_text()[-3000:]}"
    assert len(kills) == KILLS
    assert counters(done) == counters(clean) == (JobStatus.SUCCEEDED, ROWS, ROWS, 0, 0, 0)
    killed_state = await table_state(database, caller.tenant_id)
    assert killed_state == clean_state
    assert killed_state[0] == ROWS
