"""SQL for jobs. Runner writes are single conditional UPDATEs, so two workers never both
claim one job and a counter update never loses another's increment."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.job import Job, JobStatus

COUNTERS = ("processed", "created", "updated", "skipped", "failed")


def stale_condition(older_than: timedelta) -> ColumnElement[bool]:
    """RUNNING with no heartbeat for `older_than`, or QUEUED for that long (a lost message)."""
    cutoff = func.now() - older_than
    return or_(
        and_(
            Job.status == JobStatus.RUNNING.value,
            or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < cutoff),
        ),
        and_(Job.status == JobStatus.QUEUED.value, Job.created_at < cutoff),
    )


async def get(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    stmt = select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
    return await session.scalar(stmt)


async def get_many(session: AsyncSession, job_ids: Sequence[uuid.UUID]) -> list[Job]:
    stmt = select(Job).where(Job.id.in_(list(job_ids))).execution_options(populate_existing=True)
    return list(await session.scalars(stmt))


async def lock(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    stmt = (
        select(Job)
        .where(Job.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return await session.scalar(stmt)


def _unclaimed(stale_after: timedelta) -> ColumnElement[bool]:
    """QUEUED, or RUNNING without a heartbeat for `stale_after`: no live worker holds it."""
    return or_(
        Job.status == JobStatus.QUEUED.value,
        and_(
            Job.status == JobStatus.RUNNING.value,
            or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < func.now() - stale_after),
        ),
    )


async def claim(session: AsyncSession, job_id: uuid.UUID, stale_after: timedelta) -> Job | None:
    """Mark the job RUNNING for this worker, if it is QUEUED or RUNNING with a stale heartbeat.

    Concurrent claims queue on the row lock and PostgreSQL re-checks the condition on the
    row the winner wrote, so the loser sees a fresh heartbeat and gets nothing.
    """
    stmt = (
        update(Job)
        .where(Job.id == job_id)
        .where(_unclaimed(stale_after))
        .values(
            status=JobStatus.RUNNING.value,
            started_at=func.coalesce(Job.started_at, func.now()),
            heartbeat_at=func.now(),
            version=Job.version + 1,
        )
        .returning(Job)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return await session.scalar(stmt)


async def add_progress(
    session: AsyncSession,
    job_id: uuid.UUID,
    deltas: dict[str, int],
    *,
    total: int | None,
    checkpoint: dict[str, Any] | None,
) -> Job | None:
    values: dict[str, Any] = {name: getattr(Job, name) + deltas.get(name, 0) for name in COUNTERS}
    if total is not None:
        values["total"] = total
    if checkpoint is not None:
        values["checkpoint"] = checkpoint
    stmt = (
        update(Job)
        .where(Job.id == job_id)
        .values(**values, heartbeat_at=func.now(), version=Job.version + 1)
        .returning(Job)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return await session.scalar(stmt)


async def heartbeat(session: AsyncSession, job_id: uuid.UUID) -> None:
    """Stamp a running job, unless its row is locked: then the holder, a chunk about to
    commit its progress, stamps it itself, and waiting here would only delay the beat."""
    free = (
        select(Job.id)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        update(Job)
        .where(Job.id == free)
        .values(heartbeat_at=func.now())
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def release(session: AsyncSession, job_id: uuid.UUID) -> None:
    """Forget the heartbeat of a run that stops early, so its retry may claim it at once."""
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value)
        .values(heartbeat_at=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def give_up(
    session: AsyncSession, job_id: uuid.UUID, reason: str, stale_after: timedelta
) -> Job | None:
    """FAILED with `reason`, unless the job ended or a worker with a live heartbeat runs it
    (then the message given up was a duplicate, and the job is in good hands)."""
    stmt = (
        update(Job)
        .where(Job.id == job_id)
        .where(_unclaimed(stale_after))
        .values(
            status=JobStatus.FAILED.value,
            error=reason,
            finished_at=func.now(),
            heartbeat_at=func.now(),
            version=Job.version + 1,
        )
        .returning(Job)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return await session.scalar(stmt)


async def lock_checkpoint(
    session: AsyncSession, job_id: uuid.UUID, expected: dict[str, Any] | None
) -> bool:
    """Whether the job's checkpoint is `expected` (compared as JSONB, as it was stored), its
    row then locked until the caller's transaction ends."""
    same = (
        Job.checkpoint.is_(None)
        if expected is None
        else Job.checkpoint == bindparam("expected", expected, type_=JSONB)
    )
    stmt = select(same).where(Job.id == job_id).with_for_update()
    return bool(await session.scalar(stmt))


async def cancel_requested(session: AsyncSession, job_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


async def stale(
    session: AsyncSession, older_than: timedelta, job_ids: Sequence[uuid.UUID] | None
) -> list[Job]:
    stmt: Select[Any] = select(Job).where(stale_condition(older_than))
    if job_ids is not None:
        stmt = stmt.where(Job.id.in_(list(job_ids)))
    return list(await session.scalars(stmt.order_by(Job.created_at)))


_UNFINISHED_EVERYWHERE = text(
    "SELECT tenant_id, id FROM job WHERE status IN ('QUEUED', 'RUNNING') "
    "ORDER BY created_at LIMIT :limit"
)


async def unfinished_in_every_tenant(
    session: AsyncSession, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant_id, job_id) of QUEUED and RUNNING jobs of all tenants, oldest first; the
    session must have no tenant. Reads through the sweep policy of migration 0008."""
    await session.execute(text("SELECT set_config('app.job_sweep', 'on', true)"))
    rows = await session.execute(_UNFINISHED_EVERYWHERE, {"limit": limit})
    return [(tenant_id, job_id) for tenant_id, job_id in rows]
