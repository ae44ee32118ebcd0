"""A job message the workers give up on: the dead-letter queue and the job row say why.
A data error is not retried at all."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import dramatiq
from redis import exceptions as redis_errors
from sqlalchemy import func

from clientbase.core.db import Database
from clientbase.models.job import JobStatus
from clientbase.services.jobs import service
from clientbase.services.jobs.runner import JobRun
from clientbase.workers.actors import broker, run_job_actor
from clientbase.workers.dead_letter import REASON_OPTION
from clientbase.workers.jobs import JOBS_QUEUE
from tests.helpers import committed_tenant
from tests.services.jobs.factories import committed_job, handler, read_job

attempts: list[uuid.UUID] = []


async def _unreachable(run: JobRun) -> None:
    attempts.append(run.job_id)
    raise redis_errors.ConnectionError("Error 111 connecting to redis://:s3cret@cache:6379")


async def _bad_data(run: JobRun) -> None:
    attempts.append(run.job_id)
    raise ValueError("row 7: the date 2026-02-30 does not exist")


def _dead_letters() -> list[dramatiq.Message]:  # type: ignore[type-arg]
    raw = broker.client.hvals(f"{broker.namespace}:{JOBS_QUEUE}.XQ.msgs")
    return [dramatiq.Message.decode(data) for data in raw]


async def _run(tenant_id: uuid.UUID, job_id: uuid.UUID, worker: dramatiq.Worker) -> None:
    # Two attempts, 10 ms apart: the actor's own retries are the same, only slower.
    run_job_actor.send_with_options(args=(str(tenant_id), str(job_id)), max_retries=1,
                                    min_backoff=10, max_backoff=10)  # fmt: skip
    await asyncio.to_thread(broker.join, JOBS_QUEUE, timeout=30_000)
    await asyncio.to_thread(worker.join)


async def test_a_job_whose_retries_are_spent_fails_with_the_reason_everywhere(
    database: Database, worker: dramatiq.Worker
) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "EXPORT")
    attempts.clear()
    with handler("EXPORT", _unreachable):
        await _run(caller.tenant_id, job.id, worker)
    assert attempts == [job.id, job.id]
    failed = await read_job(database, caller.tenant_id, job.id)
    assert failed.status == JobStatus.FAILED and failed.finished_at is not None
    assert failed.error == (
        "Gave up after 2 attempts: ConnectionError: Error 111 connecting to redis://:***@cache:6379"
    )
    dead = [m for m in _dead_letters() if m.args[1] == str(job.id)]
    assert len(dead) == 1
    assert dead[0].options[REASON_OPTION].startswith("Gave up after 2 attempts: ConnectionError")
    assert "ConnectionError" in dead[0].options["traceback"]


async def test_a_data_error_fails_the_job_at_once_and_is_not_dead_lettered(
    database: Database, worker: dramatiq.Worker
) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "EXPORT")
    attempts.clear()
    with handler("EXPORT", _bad_data):
        await _run(caller.tenant_id, job.id, worker)
    assert attempts == [job.id]
    failed = await read_job(database, caller.tenant_id, job.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error == "ValueError: row 7: the date 2026-02-30 does not exist"
    assert not [m for m in _dead_letters() if m.args[1] == str(job.id)]


async def test_giving_up_spares_ended_jobs_and_live_runs(database: Database) -> None:
    # A live heartbeat means another worker runs the job: the message given up was a
    # duplicate. An ended job keeps its end.
    caller = await committed_tenant(database)
    old = func.now() - timedelta(minutes=5)
    live = await committed_job(database, caller.tenant_id, status="RUNNING",
                               heartbeat_at=func.now())  # fmt: skip
    dead = await committed_job(database, caller.tenant_id, status="RUNNING", heartbeat_at=old)
    released = await committed_job(database, caller.tenant_id, status="RUNNING")
    queued = await committed_job(database, caller.tenant_id)
    ended = await committed_job(database, caller.tenant_id, status="SUCCEEDED")
    for job in (live, dead, released, queued, ended):
        async with database.session(caller.tenant_id) as session:
            await service.give_up(session, job.id, "why", timedelta(seconds=60))
            await session.commit()
    after = [await read_job(database, caller.tenant_id, j.id)
             for j in (live, dead, released, queued, ended)]  # fmt: skip
    assert [(j.status, j.error) for j in after] == [
        ("RUNNING", None), ("FAILED", "why"), ("FAILED", "why"), ("FAILED", "why"),
        ("SUCCEEDED", None),
    ]  # fmt: skip
