"""PostgreSQL restarted while an import writes a chunk and the API serves reads: the API
answers 503 during the outage only and is back within 30 s; the import resumes from its
last committed chunk and ends as a clean run does, with no partial chunk."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from clientbase.app import create_app
from clientbase.core.config import Settings
from clientbase.core.db import Database
from clientbase.core.devstack import EmbeddedPostgres, EmbeddedRedis
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
from tests.faults.processes import start_worker
from tests.helpers import committed_tenant
from tests.services.imports.helpers import start
from tests.stack import APP_ROLE

ROWS = 15_000  # three chunks, normalised in the worker's thread
READ = {"query": "{ customers(first: 5) { totalCount nodes { code } } }"}
# The worker's chunk waiting for the test's lock on customer: inside its transaction,
# part of the chunk done (staged, looked up), none of it committed.
WAITING = """SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
    WHERE NOT l.granted AND l.relation = 'customer'::regclass
    AND a.application_name = 'clientbase'"""


@dataclass
class Answer:
    sent: float
    received: float
    status: int  # 0: no HTTP answer at all
    errors: bool


async def _reads(client: httpx.AsyncClient, headers: dict[str, str], answers: list[Answer],
                 stop: asyncio.Event) -> None:  # fmt: skip
    while not stop.is_set():
        sent = time.monotonic()
        try:
            response = await client.post("/graphql", json=READ, headers=headers)
            status, errors = response.status_code, "errors" in response.json()
        except httpx.HTTPError:
            status, errors = 0, True
        answers.append(Answer(sent, time.monotonic(), status, errors))
        await asyncio.sleep(0.05)


async def test_a_postgres_restart_mid_chunk_and_mid_traffic(
    own_postgres: EmbeddedPostgres, own_redis: EmbeddedRedis, tmp_path: Path
) -> None:
    app_url = own_postgres.app_url(APP_ROLE)
    database = Database(app_url, pool_size=2, max_overflow=0)
    worker = None
    try:
        caller = await committed_tenant(database, Role.EDITOR)
        data = customers_csv(ROWS)
        job = await start(database, caller.tenant_id, data)
        env = {"CLIENTBASE_DATABASE_URL": app_url, "CLIENTBASE_REDIS_URL": own_redis.url,
               "CLIENTBASE_IMPORT_PROCESSES": "0"}  # fmt: skip
        worker = await asyncio.to_thread(start_worker, tmp_path / "worker.log", **env)
        await send(job_broker(own_redis.url), own_redis.url, caller.tenant_id, job.id)

        async def first_chunk() -> bool:
            return (await job_now(database, job)).processed >= 5_000

        async def mid_chunk() -> bool:
            return bool(await holder.fetchval(WAITING))

        app = create_app(Settings(database_url=app_url, redis_url=own_redis.url))
        answers: list[Answer] = []
        stop = asyncio.Event()
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                reads = asyncio.create_task(_reads(client, caller.headers, answers, stop))
                await until(first_chunk, 60, "the first chunk")
                holder = await asyncpg.connect(own_postgres.owner_url.replace("+asyncpg", ""))
                await holder.execute("BEGIN; LOCK TABLE customer IN SHARE ROW EXCLUSIVE MODE")
                await until(mid_chunk, 60, "the second chunk inside its transaction")
                down = time.monotonic()
                await asyncio.to_thread(own_postgres.stop)  # the lock held to the end
                holder.terminate()
                await asyncio.sleep(3)
                await asyncio.to_thread(own_postgres.start)
                up = time.monotonic()

                async def recovered() -> bool:
                    return any(a.sent > up and a.status == 200 and not a.errors
                               for a in answers)  # fmt: skip

                await until(recovered, 30, "the API answering again")
                back = min(a.received for a in answers
                           if a.sent > up and a.status == 200 and not a.errors)  # fmt: skip
                await asyncio.sleep(1)
                stop.set()
                await reads

        print(f"outage {up - down:.1f} s; API back {back - up:.1f} s after PostgreSQL; "
              f"{len(answers)} reads")  # fmt: skip
        assert back - up < 30
        before = [a for a in answers if a.received < down]
        after = [a for a in answers if a.sent > back]
        during = [a for a in answers if a not in before and a not in after]
        assert before and after and during
        assert all(a.status == 200 and not a.errors for a in before + after)
        # During the outage: 503 (refused at once) or, for a read caught by the stop
        # itself, its error; never a 500.
        assert {a.status for a in during} <= {200, 503}, during
        assert any(a.status == 503 for a in during)
        refused_early = [a for a in during if a.status == 503 and a.received < down]
        assert not refused_early

        async def ended() -> bool:
            return (await job_now(database, job)).status in FINAL

        await until(ended, 120, "the end of the import")
        done = await job_now(database, job)
        assert done.status == JobStatus.SUCCEEDED, f"{done.error}\n{worker.tail()}"
        # The worker goes first: its reconciler would take the clean run's job too (that
        # run's heartbeat beats slower than the worker's stale time).
        worker.stop()
        reference = await committed_tenant(database)
        clean = await clean_run(database, reference.tenant_id, data)
        assert counters(done) == counters(clean) == (JobStatus.SUCCEEDED, ROWS, ROWS, 0, 0, 0)
        assert await table_state(database, caller.tenant_id) == await table_state(
            database, reference.tenant_id
        )
    finally:
        if worker is not None:
            worker.stop()
        await database.dispose()
