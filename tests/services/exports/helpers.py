"""Run real export jobs in tests and read their files back."""

from __future__ import annotations

import uuid
from typing import Any

import clientbase.services.exports.handler  # noqa: F401 - registers the EXPORT handler
from clientbase.core.db import Database
from clientbase.models.job import Job
from clientbase.services.exports import service as exports
from clientbase.services.files import service as files
from clientbase.services.jobs.runner import run_job
from tests.services.imports.helpers import actor
from tests.services.jobs.factories import read_job


async def _published(job_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
    return None


async def start(database: Database, tenant_id: uuid.UUID, entity: str = "CUSTOMERS",
                file_format: str = "CSV", **options: Any) -> Job:  # fmt: skip
    async with database.session(tenant_id) as session:
        job = await exports.start_export(session, actor(tenant_id), entity=entity,
                                         file_format=file_format, **options)  # fmt: skip
        await session.commit()
    return job


async def run(database: Database, job: Job) -> Job:
    await run_job(job.id, database, _published, tenant_id=job.tenant_id)
    return await read_job(database, job.tenant_id, job.id)


async def export(database: Database, tenant_id: uuid.UUID, entity: str = "CUSTOMERS",
                 file_format: str = "CSV", **options: Any) -> Job:  # fmt: skip
    return await run(database, await start(database, tenant_id, entity, file_format, **options))


async def file_bytes(database: Database, job: Job) -> bytes:
    result = exports.result_of(job)
    assert result is not None, (job.status, job.error)
    async with database.session(job.tenant_id) as session:
        return b"".join([chunk async for chunk in files.open_chunks(session, result.file_id)])
