"""Export jobs as jobs: streamed in chunks with progress, cancelled, run again after a crash,
and a second delivery of a finished one."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from clientbase.core.db import Database
from clientbase.models.file import File
from clientbase.models.file_chunk import FileChunk
from clientbase.models.job import Job
from clientbase.services.exports import pipeline, writers
from clientbase.services.exports.handler import handle_export
from clientbase.services.jobs.runner import JobRun
from tests.helpers import committed_tenant
from tests.services.exports.helpers import export, file_bytes, run, start
from tests.services.jobs.factories import handler, read_job

# About 110 bytes a row as CSV: 20,000 rows make a file of two chunks or more.
_FILL = text(
    "INSERT INTO customer (tenant_id, code, kind, legal_name, name_key, status) "
    "SELECT CAST(:tenant AS uuid), 'C' || lpad(g::text, 7, '0'), 'COMPANY', "
    "'Empresa ' || g || ' ' || repeat('x', 60), 'empresa', 'ACTIVE' "
    "FROM generate_series(1, :n) AS g"
)


async def _fill(database: Database, tenant_id: uuid.UUID, n: int) -> None:
    async with database.session(tenant_id) as session:
        await session.execute(_FILL, {"tenant": str(tenant_id), "n": n})
        await session.commit()


async def _export_files(database: Database, tenant_id: uuid.UUID) -> list[Any]:
    async with database.session(tenant_id) as session:
        stmt = select(File.id, File.size_bytes, File.expires_at).where(File.purpose == "EXPORT")
        return list((await session.execute(stmt)).all())


async def test_a_large_export_streams_in_chunks_and_commits_progress(
    export_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await committed_tenant(export_database)
    await _fill(export_database, tenant.tenant_id, 20_000)
    monkeypatch.setattr(pipeline, "PROGRESS_ROWS", 2_000)
    saved: list[int] = []
    original = pipeline.Progress._save

    async def counting(self: pipeline.Progress) -> None:
        await original(self)
        saved.append(self.reported)

    monkeypatch.setattr(pipeline.Progress, "_save", counting)
    job = await export(export_database, tenant.tenant_id, "CUSTOMERS", "CSV")
    assert (job.status, job.total, job.processed) == ("SUCCEEDED", 20_000, 20_000)
    # Committed along the way, never past the total, before the file was whole.
    assert len(saved) >= 5 and saved == sorted(saved) and saved[-1] <= 20_000
    data = await file_bytes(export_database, job)
    assert data.count(b"\n") == 20_001 and data.startswith(b"id,code,external_ref,kind,")
    (stored,) = await _export_files(export_database, tenant.tenant_id)
    assert stored.size_bytes == len(data) and stored.expires_at is not None
    async with export_database.session(tenant.tenant_id) as session:
        chunks = await session.scalar(
            select(func.count()).select_from(FileChunk).where(FileChunk.file_id == stored.id)
        )
    assert chunks is not None and chunks >= 2


@pytest.mark.parametrize("file_format", ["CSV", "JSONL", "XLSX"])
async def test_a_cancelled_export_keeps_no_file(
    export_database: Database, monkeypatch: pytest.MonkeyPatch, file_format: str
) -> None:
    tenant = await committed_tenant(export_database)
    await _fill(export_database, tenant.tenant_id, 6_000)
    monkeypatch.setattr(pipeline, "PROGRESS_ROWS", 1_000)
    checks: list[bool] = []

    async def cancelled_midway(run_: JobRun) -> None:
        async def cancelled() -> bool:
            checks.append(len(checks) >= 2)  # at the start, then after 1,000 rows: go on
            return checks[-1]

        run_.cancelled = cancelled  # type: ignore[method-assign]
        await handle_export(run_)

    job = await start(export_database, tenant.tenant_id, "CUSTOMERS", file_format)
    with handler("EXPORT", cancelled_midway):
        ended = await run(export_database, job)
    assert ended.status == "CANCELLED" and checks == [False, False, True]
    assert 0 < ended.processed < 6_000
    assert await _export_files(export_database, tenant.tenant_id) == []


async def test_an_export_cancelled_before_it_starts_reads_nothing(
    export_database: Database,
) -> None:
    tenant = await committed_tenant(export_database)
    job = await start(export_database, tenant.tenant_id)
    async with export_database.session(tenant.tenant_id) as session:
        await session.execute(update(Job).where(Job.id == job.id).values(cancel_requested=True))
        await session.commit()
    ended = await run(export_database, job)
    assert ended.status == "CANCELLED" and ended.processed == 0


async def test_a_crashed_export_starts_again_and_a_finished_one_is_left_alone(
    export_database: Database,
) -> None:
    tenant = await committed_tenant(export_database)
    await _fill(export_database, tenant.tenant_id, 300)
    job = await start(export_database, tenant.tenant_id, "CUSTOMERS", "JSONL")
    # As a worker that died midway leaves it: RUNNING, silent, counters half way.
    async with export_database.session(tenant.tenant_id) as session:
        await session.execute(update(Job).where(Job.id == job.id).values(
            status="RUNNING", heartbeat_at=func.now() - text("interval '1 hour'"),
            processed=120, total=300, checkpoint={}))  # fmt: skip
        await session.commit()
    ended = await run(export_database, job)
    assert (ended.status, ended.total, ended.processed) == ("SUCCEEDED", 300, 300)
    first = await file_bytes(export_database, ended)
    assert first.count(b"\n") == 300
    again = await run(export_database, ended)  # the same message delivered twice
    assert (again.version, again.checkpoint) == (ended.version, ended.checkpoint)
    assert len(await _export_files(export_database, tenant.tenant_id)) == 1


async def test_a_crash_after_the_file_committed_keeps_that_file(
    export_database: Database,
) -> None:
    tenant = await committed_tenant(export_database)
    await _fill(export_database, tenant.tenant_id, 10)
    done = await export(export_database, tenant.tenant_id)
    # The worker died between the file's commit and marking the job ended.
    async with export_database.session(tenant.tenant_id) as session:
        await session.execute(update(Job).where(Job.id == done.id).values(
            status="RUNNING", heartbeat_at=func.now() - text("interval '1 hour'")))  # fmt: skip
        await session.commit()
    ended = await run(export_database, await read_job(export_database, tenant.tenant_id, done.id))
    assert ended.status == "SUCCEEDED" and ended.checkpoint == done.checkpoint
    assert len(await _export_files(export_database, tenant.tenant_id)) == 1


async def test_more_rows_than_a_sheet_holds_fail_the_xlsx_export(
    export_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await committed_tenant(export_database)
    await _fill(export_database, tenant.tenant_id, 5)
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 4)
    ended = await export(export_database, tenant.tenant_id, "CUSTOMERS", "XLSX")
    assert ended.status == "FAILED" and "at most 4 rows" in (ended.error or "")
    assert await _export_files(export_database, tenant.tenant_id) == []


async def test_copy_under_row_level_security_reads_the_jobs_tenant_only(
    export_database: Database,
) -> None:
    mine, theirs = await committed_tenant(export_database), await committed_tenant(export_database)
    await _fill(export_database, mine.tenant_id, 3)
    await _fill(export_database, theirs.tenant_id, 5)
    for file_format, lines in (("CSV", 4), ("JSONL", 3)):
        job = await export(export_database, mine.tenant_id, "CUSTOMERS", file_format)
        assert job.total == 3
        assert (await file_bytes(export_database, job)).count(b"\n") == lines
