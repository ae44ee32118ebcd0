"""The job runner and the handler API: what a job kind's handler gets and how its run ends.

A handler is registered per kind and called with a `JobRun`. It works in chunks, each in
its own transaction, and saves its progress and checkpoint in that same transaction, so
a run killed at any moment resumes from the last committed chunk. The runner claims the
job, keeps its heartbeat, and sets the final status from how the handler ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

import structlog
from redis import exceptions as redis_errors
from sqlalchemy import exc as sa_errors
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.core.config import get_settings
from clientbase.core.db import Database, DatabasePerLoop
from clientbase.models.job import Job, JobStatus
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.jobs import repository, service
from clientbase.services.jobs.progress import ProgressFeed, Publish
from clientbase.services.jobs.stopping import JobInterrupted, stop_requested

log = structlog.get_logger(__name__)

JobHandler = Callable[["JobRun"], Awaitable[None]]
_HANDLERS: dict[str, JobHandler] = {}

# SQLSTATE classes of failures that a later attempt may not meet: connection (08),
# serialization and deadlock (40), resources (53), operator intervention (57).
_TRANSIENT_SQLSTATE = ("08", "40", "53", "57")


class JobCancelled(Exception):  # noqa: N818 - the name of the handler API
    """Raised by a handler that saw `await run.cancelled()`: the job ends CANCELLED."""


class JobSuperseded(Exception):  # noqa: N818 - named for what happened
    """Another run of the job committed a checkpoint this run did not write: this worker
    was taken for dead and the job re-sent. This run stops, writing nothing more."""


def register_handler(kind: str, handler: JobHandler) -> None:
    _HANDLERS[kind] = handler


def unregister_handler(kind: str) -> None:
    _HANDLERS.pop(kind, None)


def get_handler(kind: str) -> JobHandler | None:
    return _HANDLERS.get(kind)


def is_infrastructure_error(error: BaseException) -> bool:
    """True for failures of PostgreSQL or Redis themselves, which a retry may not meet."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionError | TimeoutError):
            return True
        if isinstance(current, redis_errors.ConnectionError | redis_errors.TimeoutError):
            return True
        if isinstance(current, sa_errors.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, sa_errors.DisconnectionError | sa_errors.TimeoutError):
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATE):
            return True
        current = current.__cause__ or current.__context__
    return False


class JobRun:
    """What a handler gets: the job's ids and params, its last checkpoint, and its tools."""

    def __init__(self, job: Job, database: Database, feed: ProgressFeed) -> None:
        self.job_id: uuid.UUID = job.id
        self.tenant_id: uuid.UUID = job.tenant_id
        self.kind: str = job.kind
        self.params: dict[str, Any] = dict(job.params)
        # The last committed checkpoint: None on a first run, kept current as chunks commit.
        self.checkpoint: dict[str, Any] | None = job.checkpoint
        # Who writes, for the audit trail of the records the handler changes.
        self.actor = Principal(
            tenant_id=job.tenant_id,
            role=Role.EDITOR,
            actor_kind="SYSTEM",
            actor_id=f"job:{job.id}",
            label=f"{job.kind} job {job.id} (started by {job.created_by or 'unknown'})",
        )
        self._database = database
        self._feed = feed

    def session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A new session bound to the job's tenant; the caller commits."""
        return self._database.session(self.tenant_id)

    async def save_progress(
        self,
        session: AsyncSession,
        *,
        checkpoint: dict[str, Any] | None = None,
        total: int | None = None,
        processed: int = 0,
        created: int = 0,
        updated: int = 0,
        skipped: int = 0,
        failed: int = 0,
    ) -> None:
        """Add the counts and store the checkpoint in `session`, so that the chunk's data and
        its checkpoint commit together; progress is published once the caller commits."""
        counts = service.Counts(total, processed, created, updated, skipped, failed)
        job = await service.add_progress(session, self.job_id, counts, checkpoint)
        snapshot = service.progress_snapshot(job)
        if checkpoint is not None:
            snapshot["_checkpoint"] = checkpoint
        self._feed.stage(session, snapshot)

    async def fence(self, session: AsyncSession) -> None:
        """Lock the job's row in `session` and check that its checkpoint is the one this run
        last committed; JobSuperseded if another run has moved it. Called at the start of a
        chunk's transaction, it keeps two runs of one job from both writing a chunk."""
        if not await repository.lock_checkpoint(session, self.job_id, self.checkpoint):
            raise JobSuperseded(f"job {self.job_id} moved on without this run")

    async def cancelled(self) -> bool:
        """Whether someone asked to cancel the job; the handler then raises JobCancelled."""
        async with self.session() as session:
            return await service.cancel_requested(session, self.job_id)

    def stopping(self) -> bool:
        """Whether the worker is shutting down; the handler then raises JobInterrupted at
        its next checkpoint, and the job is sent again to resume from there."""
        return stop_requested()

    def _committed(self, snapshot: dict[str, Any]) -> None:
        if "_checkpoint" in snapshot:
            self.checkpoint = snapshot.pop("_checkpoint")


def _database(databases: Database | DatabasePerLoop) -> Database:
    return databases.get() if isinstance(databases, DatabasePerLoop) else databases


async def _beat(database: Database, tenant_id: uuid.UUID, job_id: uuid.UUID,
                interval: float) -> None:  # fmt: skip
    # The heartbeat says "a worker is alive on this job", independent of chunk length.
    while True:
        await asyncio.sleep(interval)
        try:
            async with database.session(tenant_id) as session:
                await service.heartbeat(session, job_id)
                await session.commit()
        except Exception as exc:  # a missed beat is survivable; a stale one is reconciled
            log.warning("job heartbeat failed", job_id=str(job_id), error=str(exc))


async def _release(database: Database, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
    try:
        async with asyncio.timeout(2), database.session(tenant_id) as session:
            await service.release(session, job_id)
            await session.commit()
    except Exception as exc:  # the heartbeat then goes stale and the reconciler steps in
        log.warning("could not release job", job_id=str(job_id), error=str(exc))


async def _finish(database: Database, job: Job, status: JobStatus | None,
                  error: str | None) -> Job | None:  # fmt: skip
    async with database.session(job.tenant_id) as session:
        finished = await service.finish(session, job.id, status, error)
        await session.commit()
    return finished


async def run_job(
    job_id: uuid.UUID,
    databases: Database | DatabasePerLoop,
    publish: Publish,
    *,
    tenant_id: uuid.UUID,
) -> None:
    """Run one job to its end, or do nothing if it has ended or another worker runs it.

    Data errors end the job FAILED and are not retried; failures of PostgreSQL or Redis
    re-raise, so that Dramatiq retries the message and the run resumes from its checkpoint.
    JobInterrupted (the worker is stopping) re-raises with the job released, for the caller
    to send it again.
    """
    settings = get_settings()
    database = _database(databases)
    log_ = log.bind(job_id=str(job_id), tenant_id=str(tenant_id))
    stale_after = timedelta(seconds=settings.job_stale_after_seconds)
    async with database.session(tenant_id) as session:
        job = await service.claim(session, job_id, stale_after)
        await session.commit()
    if job is None:
        log_.info("job not claimed: missing, finished or running elsewhere")
        return
    # Every line the run logs names the job and the request that started it.
    names = {"job_id": str(job_id), "tenant_id": str(tenant_id)}
    request_id = structlog.contextvars.get_contextvars().get("request_id") or job.params.get(
        service.REQUEST_ID_PARAM
    )
    if request_id:
        names["request_id"] = str(request_id)
    with structlog.contextvars.bound_contextvars(**names):
        await _run_claimed(job, database, publish)


async def _run_claimed(job: Job, database: Database, publish: Publish) -> None:
    settings = get_settings()
    job_id, tenant_id = job.id, job.tenant_id
    log.info("job started", kind=job.kind)
    feed = ProgressFeed(job.id, publish, settings.job_progress_interval_seconds)
    handler = _HANDLERS.get(job.kind)
    if handler is None:
        final = await _finish(database, job, JobStatus.FAILED, f"No handler for {job.kind} jobs.")
        await feed.close(service.progress_snapshot(final) if final else None)
        return
    run = JobRun(job, database, feed)
    feed.on_commit = run._committed
    feed.start()
    beat = asyncio.create_task(_beat(database, tenant_id, job_id, settings.job_heartbeat_seconds))
    status: JobStatus | None = None
    error: str | None = None
    try:
        await handler(run)
    except JobCancelled:
        status = JobStatus.CANCELLED
    except JobSuperseded:
        # The run that took over owns the job now: no release, no final status from here.
        log.warning("job taken over by another run; this one stops")
        await _stop(beat, feed)
        return
    except JobInterrupted:
        log.info("job stopped at a checkpoint: the worker is shutting down")
        await _stop(beat, feed)
        await _release(database, tenant_id, job_id)
        raise
    except Exception as exc:
        if is_infrastructure_error(exc):
            log.warning("job interrupted by an infrastructure error; retrying", error=str(exc))
            await _stop(beat, feed)
            await _release(database, tenant_id, job_id)
            raise
        log.exception("job failed")
        status, error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
    except BaseException:
        # Cancelled (time limit, shutdown): let the next delivery claim it at once.
        await _stop(beat, feed)
        await asyncio.shield(_release(database, tenant_id, job_id))
        raise
    beat.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await beat
    final = await _finish(database, job, status, error)
    await feed.close(service.progress_snapshot(final) if final else None)
    log.info("job ended", status=final.status if final else None)


async def _stop(beat: asyncio.Task[None], feed: ProgressFeed) -> None:
    beat.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await beat
    await feed.close(None)
