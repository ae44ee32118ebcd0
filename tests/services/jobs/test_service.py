"""The jobs service on real PostgreSQL: creation, listing, cancel rules, claims, staleness."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from clientbase.core.db import Database
from clientbase.models.audit_event import AuditEvent
from clientbase.models.job import Job, JobStatus
from clientbase.services.errors import DomainError, ErrorCode
from clientbase.services.jobs import service as jobs
from tests.helpers import committed_tenant
from tests.services.jobs.factories import committed_job, read_job, system

STALE = timedelta(seconds=60)


async def test_create_job_is_queued_in_the_callers_transaction(database: Database) -> None:
    caller = await committed_tenant(database)
    async with database.session(caller.tenant_id) as session:
        job = await jobs.create_job(session, system(caller.tenant_id), "EXPORT", {"entity": "x"})
        assert job.status == JobStatus.QUEUED and job.params == {"entity": "x"}
        assert job.created_by == "SYSTEM:tests"
        await session.rollback()
    async with database.session(caller.tenant_id) as session:
        assert await jobs.get(session, job.id) is None  # rolled back with its caller
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_unknown_kind_is_a_problem(database: Database) -> None:
    caller = await committed_tenant(database)
    async with database.session(caller.tenant_id) as session:
        with pytest.raises(DomainError) as raised:
            await jobs.create_job(session, system(caller.tenant_id), "NOOP", {})
    assert raised.value.problems[0].code == ErrorCode.INVALID


async def test_list_query_filters_by_kind_and_status_within_the_tenant(database: Database) -> None:
    caller, other = await committed_tenant(database), await committed_tenant(database)
    await committed_job(database, caller.tenant_id, "EXPORT")
    running = await committed_job(database, caller.tenant_id, "MERGE", status="RUNNING")
    await committed_job(database, other.tenant_id, "MERGE", status="RUNNING")
    async with database.session(caller.tenant_id) as session:
        merges = (await session.scalars(jobs.list_query({"kind": {"eq": "MERGE"}}))).all()
        assert [j.id for j in merges] == [running.id]
        assert len((await session.scalars(jobs.list_query({}))).all()) == 2
        live = jobs.list_query({"status": {"in_": ["RUNNING", "QUEUED"]}})
        assert len((await session.scalars(live)).all()) == 2


async def test_cancel_queued_at_once_running_on_request_final_refused(database: Database) -> None:
    caller = await committed_tenant(database)
    actor = system(caller.tenant_id)
    queued = await committed_job(database, caller.tenant_id)
    running = await committed_job(database, caller.tenant_id, status="RUNNING")
    done = await committed_job(database, caller.tenant_id, status="SUCCEEDED")
    async with database.session(caller.tenant_id) as session:
        cancelled = await jobs.request_cancel(session, actor, queued.id)
        asked = await jobs.request_cancel(session, actor, running.id)
        await session.commit()
    assert cancelled.status == JobStatus.CANCELLED and cancelled.finished_at is not None
    assert asked.status == JobStatus.RUNNING and asked.cancel_requested
    async with database.session(caller.tenant_id) as session:
        with pytest.raises(DomainError) as raised:
            await jobs.request_cancel(session, actor, done.id)
        assert raised.value.problems[0].code == ErrorCode.INVALID_STATE
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert actions.count("Job.cancel") == 2


async def test_two_concurrent_claims_one_wins(database: Database) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id)

    async def claim() -> Job | None:
        async with database.session(caller.tenant_id) as session:
            claimed = await jobs.claim(session, job.id, STALE)
            await session.commit()
            return claimed

    results = await asyncio.gather(claim(), claim())
    assert sum(r is not None for r in results) == 1
    after = await read_job(database, caller.tenant_id, job.id)
    assert after.status == JobStatus.RUNNING and after.started_at is not None


async def test_claim_takes_over_a_stale_run_and_keeps_started_at(database: Database) -> None:
    caller = await committed_tenant(database)
    started = datetime(2030, 1, 1, tzinfo=UTC)
    dead = await committed_job(database, caller.tenant_id, status="RUNNING", started_at=started,
                               heartbeat_at=func.now() - timedelta(minutes=5))  # fmt: skip
    done = await committed_job(database, caller.tenant_id, status="FAILED")
    async with database.session(caller.tenant_id) as session:
        taken = await jobs.claim(session, dead.id, STALE)
        assert await jobs.claim(session, done.id, STALE) is None
        assert await jobs.claim(session, dead.id, STALE) is None  # now fresh: someone runs it
        await session.commit()
    assert taken is not None and taken.started_at == started


async def test_progress_adds_deltas_and_the_outcome_follows_the_counters(
    database: Database,
) -> None:
    caller = await committed_tenant(database)
    job = await committed_job(database, caller.tenant_id, status="RUNNING")
    async with database.session(caller.tenant_id) as session:
        await jobs.add_progress(session, job.id, jobs.Counts(total=10, processed=4, created=3,
                                                             failed=1), {"chunk": 1})  # fmt: skip
        after = await jobs.add_progress(session, job.id, jobs.Counts(processed=2, skipped=2))
        await session.commit()
    assert (after.total, after.processed, after.created, after.skipped, after.failed) == (
        10, 6, 3, 2, 1,
    )  # fmt: skip
    assert after.checkpoint == {"chunk": 1} and after.heartbeat_at is not None
    assert jobs.outcome_of(after) == (JobStatus.PARTIAL, None)
    after.failed = after.processed
    assert jobs.outcome_of(after)[0] == JobStatus.FAILED
    after.failed = 0
    assert jobs.outcome_of(after) == (JobStatus.SUCCEEDED, None)


async def test_stale_jobs_are_silent_runs_and_old_queued_ones(database: Database) -> None:
    caller = await committed_tenant(database)
    old = func.now() - timedelta(minutes=5)
    silent = await committed_job(database, caller.tenant_id, status="RUNNING", heartbeat_at=old)
    never_beat = await committed_job(database, caller.tenant_id, status="RUNNING")
    lost = await committed_job(database, caller.tenant_id, created_at=old)
    await committed_job(database, caller.tenant_id, status="RUNNING", heartbeat_at=func.now())
    await committed_job(database, caller.tenant_id)  # queued just now: its message may be coming
    await committed_job(database, caller.tenant_id, status="FAILED", heartbeat_at=old)
    async with database.session(caller.tenant_id) as session:
        stale = {j.id for j in await jobs.stale_jobs(session, STALE)}
        only = [j.id for j in await jobs.stale_jobs(session, STALE, [lost.id])]
    assert stale == {silent.id, never_beat.id, lost.id}
    assert only == [lost.id]


def test_eta_from_the_rate_so_far() -> None:
    now = datetime(2030, 1, 1, 12, 0, 10, tzinfo=UTC)
    job = Job(status="RUNNING", total=1000, processed=100,
              started_at=now - timedelta(seconds=10))  # fmt: skip
    assert jobs.eta_seconds(job, now) == 90
    job.total = None
    assert jobs.eta_seconds(job, now) is None
    job.total, job.status = 1000, "SUCCEEDED"
    assert jobs.eta_seconds(job, now) is None


def test_error_texts_lose_their_secrets() -> None:
    text = ("could not connect to postgresql+asyncpg://app:s3cret@db:5432/x with "
            "key cb_AbCdEf123456789 and Authorization: Bearer abc.def password=hunter2")  # fmt: skip
    masked = jobs.mask_secrets(text)
    for secret in ("s3cret", "AbCdEf123456789", "abc.def", "hunter2"):
        assert secret not in masked
    assert "postgresql+asyncpg://app:***@db:5432/x" in masked
    assert len(jobs.mask_secrets("x" * 10_000)) == jobs.MAX_ERROR_LENGTH
