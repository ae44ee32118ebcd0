"""Jobs for tests: committed rows in a tenant, handlers swapped in for one test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import update

from clientbase.core.db import Database
from clientbase.models.job import Job
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.jobs import runner
from clientbase.services.jobs import service as jobs


def system(tenant_id: uuid.UUID, role: Role = Role.EDITOR) -> Principal:
    return Principal(tenant_id, role, "SYSTEM", "tests", "tests")


async def committed_job(
    database: Database, tenant_id: uuid.UUID, kind: str = "EXPORT", **fields: Any
) -> Job:
    """A committed QUEUED job, then `fields` written over it as raw column values."""
    async with database.session(tenant_id) as session:
        job = await jobs.create_job(session, system(tenant_id), kind, {"n": 1})
        if fields:
            await session.execute(update(Job).where(Job.id == job.id).values(**fields))
        await session.commit()
    return await read_job(database, tenant_id, job.id)


async def read_job(database: Database, tenant_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    async with database.session(tenant_id) as session:
        job = await jobs.get(session, job_id)
        assert job is not None
        session.expunge(job)  # keeps its values through the closing rollback
    return job


@contextmanager
def handler(kind: str, handle: runner.JobHandler) -> Iterator[None]:
    """`handle` runs `kind` jobs for the duration; whatever was registered comes back after."""
    previous = runner.get_handler(kind)
    runner.register_handler(kind, handle)
    try:
        yield
    finally:
        if previous is None:
            runner.unregister_handler(kind)
        else:
            runner.register_handler(kind, previous)


def sent_jobs() -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant, job) of every job message waiting in Redis, read from Dramatiq's own keys."""
    import dramatiq

    from clientbase.workers.jobs import JOBS_QUEUE, broker

    raw = broker.client.hvals(f"{broker.namespace}:{JOBS_QUEUE}.msgs")
    messages = [dramatiq.Message.decode(data) for data in raw]
    return [(uuid.UUID(m.args[0]), uuid.UUID(m.args[1])) for m in messages]
