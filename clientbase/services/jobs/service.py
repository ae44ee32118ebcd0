"""Jobs: create, list, cancel, and the status transitions and progress of a run.

Callers own the transaction. A job moves QUEUED -> RUNNING -> SUCCEEDED | PARTIAL |
FAILED | CANCELLED; a QUEUED job can also be cancelled at once.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.job import Job, JobKind, JobStatus
from clientbase.services import records
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.jobs import repository
from clientbase.services.query.filters import Field, FieldMap, Filter, compile_filter
from clientbase.services.query.pagination import SortKey

# Plain strings: the column holds strings, and membership must not depend on enum hashing.
FINAL = frozenset(s.value for s in (JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED,
                                    JobStatus.CANCELLED))  # fmt: skip
MAX_ERROR_LENGTH = 4000
REQUEST_ID_PARAM = "requestId"

FIELDS: FieldMap = {"kind": Field(Job.kind, "enum"), "status": Field(Job.status, "enum")}
SORT = [SortKey(Job.created_at, "created_at", descending=True),
        SortKey(Job.id, "id", descending=True)]  # fmt: skip

# Secrets that an exception text may carry: URL passwords, our API keys, bearer tokens.
_SECRETS = (
    (re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.I), r"\g<keep>***@"),
    (re.compile(r"\bcb_[A-Za-z0-9_-]{8,}"), "cb_***"),
    (re.compile(r"(?P<keep>bearer\s+)\S+", re.I), r"\g<keep>***"),
    (re.compile(r"(?P<keep>(password|passwd|pwd|secret|token)\s*[=:]\s*)\S+", re.I),
     r"\g<keep>***"),
)  # fmt: skip


@dataclass(frozen=True)
class Counts:
    """Increments of a job's counters; `total` replaces the known total when given."""

    total: int | None = None
    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0

    def deltas(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in repository.COUNTERS}


def is_final(job: Job) -> bool:
    return job.status in FINAL


def mask_secrets(text: str) -> str:
    """The text with credentials blanked, cut to a length fit for the job row."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text[:MAX_ERROR_LENGTH]


def eta_seconds(job: Job, now: datetime | None = None) -> int | None:
    """Seconds left at the rate seen since the job started; None while it cannot be told."""
    if job.status != JobStatus.RUNNING or job.total is None or job.started_at is None:
        return None
    if job.processed <= 0:
        return None
    elapsed = ((now or datetime.now(UTC)) - job.started_at).total_seconds()
    if elapsed <= 0:
        return None
    remaining = max(job.total - job.processed, 0)
    return math.ceil(remaining * elapsed / job.processed)


def progress_snapshot(job: Job) -> dict[str, Any]:
    """What a progress message carries: ids, status and counters, nothing of the data."""
    return {
        "id": str(job.id),
        "status": job.status,
        "version": job.version,
        "total": job.total,
        **{name: getattr(job, name) for name in repository.COUNTERS},
        "eta_seconds": eta_seconds(job),
    }


async def create_job(
    session: AsyncSession, actor: Principal, kind: str, params: dict[str, Any]
) -> Job:
    """A QUEUED job in the caller's transaction; sending it is the caller's after commit."""
    if kind not in JobKind.__members__:
        raise problem("kind", ErrorCode.INVALID, f"Unknown job kind {kind!r}.")
    params = dict(params)
    # The request that made the job, for the worker's logs (a re-sent message has none).
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id is not None:
        params.setdefault(REQUEST_ID_PARAM, request_id)
    job = Job(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        kind=kind,
        status=JobStatus.QUEUED.value,
        params=params,
        created_by=creator(actor),
    )
    return await records.create(session, actor, job, "Job")


def creator(actor: Principal) -> str:
    """How a job records who created it."""
    return f"{actor.actor_kind}:{actor.actor_id}"


async def get(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """The job with this id, read afresh; None if there is none in the session's tenant."""
    return await repository.get(session, job_id)


def list_query(filter_tree: Filter | None = None) -> Select[Any]:
    return select(Job).where(compile_filter(filter_tree, FIELDS))


def sort_keys() -> list[SortKey]:
    return list(SORT)


async def request_cancel(session: AsyncSession, actor: Principal, job_id: uuid.UUID) -> Job:
    """A QUEUED job is CANCELLED at once; a RUNNING one is asked to stop at its next check."""
    job = await records.load_for_update(session, Job, job_id, "Job", None)
    if job.status == JobStatus.QUEUED:
        changes: dict[str, Any] = {
            "status": JobStatus.CANCELLED.value,
            "cancel_requested": True,
            "finished_at": datetime.now(UTC),
        }
    elif job.status == JobStatus.RUNNING:
        changes = {"cancel_requested": True}
    else:
        raise problem("id", ErrorCode.INVALID_STATE, f"The job is {job.status} already.")
    await records.update(session, actor, job, changes, "Job", "cancel")
    return job


async def claim(session: AsyncSession, job_id: uuid.UUID, stale_after: timedelta) -> Job | None:
    """RUNNING for the caller, or None: missing, finished, or running with a live heartbeat."""
    return await repository.claim(session, job_id, stale_after)


async def add_progress(
    session: AsyncSession,
    job_id: uuid.UUID,
    counts: Counts,
    checkpoint: dict[str, Any] | None = None,
) -> Job:
    """Add the increments, store the checkpoint (if given) and stamp the heartbeat."""
    job = await repository.add_progress(
        session, job_id, counts.deltas(), total=counts.total, checkpoint=checkpoint
    )
    if job is None:
        raise LookupError(f"job {job_id} is gone")
    return job


async def heartbeat(session: AsyncSession, job_id: uuid.UUID) -> None:
    await repository.heartbeat(session, job_id)


async def release(session: AsyncSession, job_id: uuid.UUID) -> None:
    await repository.release(session, job_id)


async def cancel_requested(session: AsyncSession, job_id: uuid.UUID) -> bool:
    return await repository.cancel_requested(session, job_id)


def outcome_of(job: Job) -> tuple[JobStatus, str | None]:
    """The final status a run that returned normally earns from its counters."""
    if job.failed > 0 and job.processed > job.failed:
        return JobStatus.PARTIAL, None
    if job.failed > 0:
        return JobStatus.FAILED, f"All {job.failed} processed items failed."
    return JobStatus.SUCCEEDED, None


async def finish(
    session: AsyncSession,
    job_id: uuid.UUID,
    status: JobStatus | None = None,
    error: str | None = None,
) -> Job | None:
    """End a RUNNING job: with `status`, or as its counters say when None."""
    job = await repository.lock(session, job_id)
    if job is None or job.status != JobStatus.RUNNING:
        return job
    if status is None:
        status, error = outcome_of(job)
    job.status = status.value
    job.error = mask_secrets(error) if error else None
    job.finished_at = job.heartbeat_at = datetime.now(UTC)
    await session.flush()
    return job


async def give_up(
    session: AsyncSession, job_id: uuid.UUID, reason: str, stale_after: timedelta
) -> Job | None:
    """End a job whose message the workers gave up on (retries spent, dead-lettered) as
    FAILED with the reason; None if it ended already or another worker runs it."""
    return await repository.give_up(session, job_id, mask_secrets(reason), stale_after)


async def stale_jobs(
    session: AsyncSession,
    older_than: timedelta,
    job_ids: Sequence[uuid.UUID] | None = None,
) -> list[Job]:
    """Jobs of the session's tenant that need sending again: RUNNING with a heartbeat older
    than `older_than` (the worker died) or QUEUED for that long (the message was lost)."""
    return await repository.stale(session, older_than, job_ids)
