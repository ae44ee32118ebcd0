"""Run real import jobs in tests: upload bytes as a file, start the job, run it to its end."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select, text

import clientbase.services.imports.handler  # noqa: F401 - registers the IMPORT handler
from clientbase.core.db import Database
from clientbase.models.import_row_error import ImportRowError
from clientbase.models.job import Job
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.files import service as files
from clientbase.services.imports import service as imports
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import ImportMode
from clientbase.services.jobs.runner import run_job
from tests.services.jobs.factories import read_job


def actor(tenant_id: uuid.UUID) -> Principal:
    return Principal(tenant_id, Role.EDITOR, "SYSTEM", "tests", "tests")


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def upload(database: Database, tenant_id: uuid.UUID, data: bytes, name: str) -> uuid.UUID:
    async with database.session(tenant_id) as session:
        stored = await files.store_stream(session, tenant_id, name, "application/octet-stream",
                                          _once(data), "UPLOAD", 1 << 30)  # fmt: skip
        await session.commit()
    return stored.id


async def _published(job_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
    return None


async def start(database: Database, tenant_id: uuid.UUID, data: bytes, name: str = "f.csv",
                entity: ImportEntity = ImportEntity.CUSTOMERS, **options: Any) -> Job:  # fmt: skip
    file_id = await upload(database, tenant_id, data, name)
    async with database.session(tenant_id) as session:
        job = await imports.start_import(session, actor(tenant_id), file_id=file_id,
                                         entity=entity, mode=options.pop("mode", ImportMode.UPSERT),
                                         **options)  # fmt: skip
        await session.commit()
    return job


async def run(database: Database, job: Job) -> Job:
    await run_job(job.id, database, _published, tenant_id=job.tenant_id)
    return await read_job(database, job.tenant_id, job.id)


async def import_file(database: Database, tenant_id: uuid.UUID, data: bytes,
                      name: str = "f.csv", **options: Any) -> Job:  # fmt: skip
    return await run(database, await start(database, tenant_id, data, name, **options))


async def row_errors(database: Database, job: Job) -> list[tuple[int, str | None, str]]:
    async with database.session(job.tenant_id) as session:
        found = await session.scalars(
            select(ImportRowError).where(ImportRowError.job_id == job.id)
            .order_by(ImportRowError.row_number, ImportRowError.created_at)
        )  # fmt: skip
        return [(e.row_number, e.column, e.code) for e in found]


async def rows(database: Database, tenant_id: uuid.UUID, sql: str, **params: Any) -> list[Any]:
    async with database.session(tenant_id) as session:
        return list((await session.execute(text(sql), params)).all())


def counts(job: Job) -> dict[str, Any]:
    return {"status": job.status, "processed": job.processed, "created": job.created,
            "updated": job.updated, "skipped": job.skipped, "failed": job.failed}  # fmt: skip
