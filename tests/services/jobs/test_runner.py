"""The runner on real PostgreSQL: how each way a handler ends sets the job's final status,
redelivery, resume from the checkpoint, cancellation, and progress only after commit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from clientbase.core.db import Database
from clientbase.models.job import JobStatus
from clientbase.models.tenant import Tenant
from clientbase.services.jobs import service as jobs
from clientbase.services.jobs.runner import JobCancelled, JobRun, run_job
from tests.helpers import committed_tenant
from tests.services.jobs.factories import committed_job, handler, read_job, system

Published = list[dict[str, Any]]


def recorder() -> tuple[Published, Any]:
    published: Published = []

    async def publish(job_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
        published.append(snapshot)

    return published, publish


async def _run(database: Database, job: Any, publish: Any = None) -> None:
    await run_job(job.id, database, publish or recorder()[1], tenant_id=job.tenant_id)


async def test_a_run_in_chunks_succeeds_with_its_counts(database: Database) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "EXPORT")
    seen: list[Any] = []

    async def export(run: JobRun) -> None:
        seen.append((run.kind, run.params, run.checkpoint, run.tenant_id))
        for chunk in range(3):
            async with run.session() as session:
                # The chunk's own data and its checkpoint commit together.
                assert await session.scalar(select(Tenant.id)) == run.tenant_id
                await run.save_progress(session, checkpoint={"chunk": chunk}, total=30,
                                        processed=10, created=10)  # fmt: skip
                await session.commit()
        seen.append(run.checkpoint)

    published, publish = recorder()
    with handler("EXPORT", export):
        await _run(database, job, publish)
    done = await read_job(database, caller.tenant_id, job.id)
    assert seen == [("EXPORT", {"n": 1}, None, caller.tenant_id), {"chunk": 2}]
    assert done.status == JobStatus.SUCCEEDED and done.finished_at is not None
    assert (done.total, done.processed, done.created, done.checkpoint) == (30, 30, 30, {"chunk": 2})
    assert published[-1]["status"] == "SUCCEEDED" and published[-1]["processed"] == 30
    assert all("_checkpoint" not in p for p in published)


async def test_some_failed_rows_make_it_partial_all_failed_make_it_failed(
    database: Database,
) -> None:
    caller = await committed_tenant(database)

    def counting(processed: int, failed: int) -> Any:
        async def handle(run: JobRun) -> None:
            async with run.session() as session:
                await run.save_progress(session, processed=processed, failed=failed)
                await session.commit()

        return handle

    partial = await committed_job(database, caller.tenant_id, "MERGE")
    with handler("MERGE", counting(10, 3)):
        await _run(database, partial)
    assert (await read_job(database, caller.tenant_id, partial.id)).status == JobStatus.PARTIAL
    hopeless = await committed_job(database, caller.tenant_id, "MERGE")
    with handler("MERGE", counting(4, 4)):
        await _run(database, hopeless)
    failed = await read_job(database, caller.tenant_id, hopeless.id)
    assert failed.status == JobStatus.FAILED and failed.error == "All 4 processed items failed."


async def test_a_data_error_fails_the_job_with_a_masked_message_and_no_retry(
    database: Database,
) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "MERGE")

    async def broken(run: JobRun) -> None:
        async with run.session() as session:
            await run.save_progress(session, processed=5, checkpoint={"chunk": 9})
            # Never committed: neither the counts nor the checkpoint may show.
        raise ValueError("row 7 refers to postgresql://app:s3cret@db/x")

    published, publish = recorder()
    with handler("MERGE", broken):
        await _run(database, job, publish)  # returns: a data error is not for Dramatiq
    failed = await read_job(database, caller.tenant_id, job.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error == "ValueError: row 7 refers to postgresql://app:***@db/x"
    assert (failed.processed, failed.checkpoint) == (0, None)
    assert [p["processed"] for p in published] == [0]
    assert published[0]["status"] == "FAILED"


async def test_an_infrastructure_error_is_raised_for_a_retry_that_resumes(
    database: Database,
) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "MERGE")
    checkpoints: list[Any] = []

    async def flaky(run: JobRun) -> None:
        checkpoints.append(run.checkpoint)
        if run.checkpoint is None:
            async with run.session() as session:
                await run.save_progress(session, processed=1, checkpoint={"chunk": 0})
                await session.commit()
            raise ConnectionResetError("redis went away")

    with handler("MERGE", flaky), pytest.raises(ConnectionResetError):
        await _run(database, job)
    between = await read_job(database, caller.tenant_id, job.id)
    # Still RUNNING, but released: the retry need not wait for the heartbeat to go stale.
    assert between.status == JobStatus.RUNNING and between.heartbeat_at is None
    with handler("MERGE", flaky):
        await _run(database, job)
    assert checkpoints == [None, {"chunk": 0}]
    assert (await read_job(database, caller.tenant_id, job.id)).status == JobStatus.SUCCEEDED


async def test_redelivery_of_a_finished_or_live_job_does_nothing(database: Database) -> None:
    caller = await committed_tenant(database)
    finished = await committed_job(database, caller.tenant_id, "MERGE", status="SUCCEEDED")
    live = await committed_job(database, caller.tenant_id, "MERGE", status="RUNNING",
                               heartbeat_at=func.now())  # fmt: skip
    calls: list[uuid.UUID] = []

    async def record(run: JobRun) -> None:
        calls.append(run.job_id)

    published, publish = recorder()
    with handler("MERGE", record):
        await _run(database, finished, publish)
        await _run(database, live, publish)
    assert calls == [] and published == []
    assert (await read_job(database, caller.tenant_id, finished.id)).version == finished.version
    assert (await read_job(database, caller.tenant_id, live.id)).status == JobStatus.RUNNING


async def test_a_dead_workers_job_resumes_from_its_checkpoint(database: Database) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "DUPLICATE_SCAN", status="RUNNING",
                              heartbeat_at=func.now() - timedelta(minutes=5),
                              checkpoint={"chunk": 4}, processed=500)  # fmt: skip
    given: list[Any] = []

    async def scan(run: JobRun) -> None:
        given.append(run.checkpoint)
        async with run.session() as session:
            await run.save_progress(session, processed=100, checkpoint={"chunk": 5})
            await session.commit()

    with handler("DUPLICATE_SCAN", scan):
        await _run(database, job)
    done = await read_job(database, caller.tenant_id, job.id)
    assert given == [{"chunk": 4}]
    assert (done.status, done.processed, done.checkpoint) == ("SUCCEEDED", 600, {"chunk": 5})


async def test_a_handler_that_sees_the_cancel_request_ends_cancelled(database: Database) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "EXPORT")
    chunks = 0

    async def export(run: JobRun) -> None:
        nonlocal chunks
        while True:
            if await run.cancelled():
                raise JobCancelled
            async with run.session() as session:
                await run.save_progress(session, processed=1)
                await session.commit()
            chunks += 1
            if chunks == 2:  # someone presses "cancel" in the UI meanwhile
                async with database.session(caller.tenant_id) as session:
                    await jobs.request_cancel(session, system(caller.tenant_id), job.id)
                    await session.commit()

    with handler("EXPORT", export):
        await _run(database, job)
    cancelled = await read_job(database, caller.tenant_id, job.id)
    assert (cancelled.status, cancelled.processed, chunks) == ("CANCELLED", 2, 2)


async def test_a_kind_without_handler_fails_and_a_missing_job_is_ignored(
    database: Database,
) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, "MERGE")
    with handler("MERGE", lambda run: None):  # type: ignore[arg-type,return-value]
        pass  # registered and removed again: nothing handles MERGE now
    await _run(database, job)
    failed = await read_job(database, caller.tenant_id, job.id)
    assert failed.status == JobStatus.FAILED and "No handler" in (failed.error or "")
    await run_job(uuid.uuid4(), database, recorder()[1], tenant_id=caller.tenant_id)
