"""The import job: spool the file, read it in chunks, write each chunk with its checkpoint.

Each chunk is one transaction holding its records, its row errors, its import_change
entries, its audit event and the job's progress and checkpoint (rows consumed so far):
a worker killed at any moment leaves whole chunks only, and the resumed job starts
after the last committed one, so no row is written twice and none is missed.
Reading and validating the next chunk (CPU) runs in a thread while the current one is
written (mostly PostgreSQL's time), and keeps the event loop free for the heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.file import File
from clientbase.services.audit import service as audit
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.dedupe.settings import duplicate_settings
from clientbase.services.imports.duplicates import DuplicatePolicy, DuplicateScreen
from clientbase.services.imports.entities import handler_for
from clientbase.services.imports.entities.base import EntityImport
from clientbase.services.imports.mapping import ColumnMapping, map_columns
from clientbase.services.imports.parallel import normaliser_pool
from clientbase.services.imports.params import FileStore, ImportParams, Run
from clientbase.services.imports.problems import FileProblem, ImportFileError, RowIssue
from clientbase.services.imports.readers import open_table
from clientbase.services.imports.report import write_error_report
from clientbase.services.imports.rows import Row
from clientbase.services.imports.spool import spool
from clientbase.services.imports.table import RawRow, is_blank
from clientbase.services.imports.writer import (
    ChunkCounts,
    WriteContext,
    apply_chunk,
    insert_row_errors,
)

CHUNK_ROWS = 5_000
MAX_FILE_BYTES = 4 * 1024**3
# Attempts of a chunk that hit a concurrent write; the last one isolates rows.
ATTEMPTS = 3


@dataclass
class Outcome:
    cancelled: bool = False
    # The worker is stopping: the run ended after a committed chunk and will resume there.
    interrupted: bool = False
    report_file_id: uuid.UUID | None = None


def shape_rows(
    handler: EntityImport,
    mapping: ColumnMapping,
    raw: list[RawRow],
    pool: Executor | None = None,
) -> list[Row]:
    """Cells to typed, normalised service data, no database; blank rows are dropped."""
    rows = []
    for record in raw:
        if is_blank(record.cells) and not record.issues:
            continue
        row = Row(record.number, record.cells, {}, list(record.issues))
        for index, field in mapping.columns:
            cell = record.cells[index] if index < len(record.cells) else ""
            try:
                row.values[field.name] = field.convert(cell)
            except ValueError as exc:
                row.issues.append(_issue(mapping, field.name, str(exc)))
        if row.ok:
            handler.shape(row)
        row.shaped = len(row.issues)
        rows.append(row)
    handler.warm_all([row for row in rows if row.ok], pool)
    return rows


def _issue(mapping: ColumnMapping, field_name: str, message: str) -> RowIssue:
    return RowIssue(mapping.header_of(field_name), "INVALID", message)


def _take(source: Iterator[RawRow], count: int) -> list[RawRow]:
    chunk = []
    for record in source:
        chunk.append(record)
        if len(chunk) == count:
            break
    return chunk


def _audit(
    session: AsyncSession,
    run: Run,
    params: ImportParams,
    handler: EntityImport,
    rows: list[Row],
    counts: ChunkCounts,
) -> None:
    """One audit event per chunk, not per record: a million events would double the
    import's writes. Which records the job touched is in import_change, by job id."""
    actor = Principal(tenant_id=run.tenant_id, role=Role.EDITOR, actor_kind=params.actor_kind,
                      actor_id=params.actor_id or f"job:{run.job_id}",
                      label=params.actor_label or "import")  # fmt: skip
    changes = {"job": str(run.job_id), "rows": [rows[0].number, rows[-1].number],
               "created": counts.created, "updated": counts.updated}  # fmt: skip
    audit.record(session, actor, f"{handler.table.name}.import", handler.audit_entity, None,
                 changes)  # fmt: skip


async def _write(
    run: Run,
    handler: EntityImport,
    rows: list[Row],
    params: ImportParams,
    checkpoint: dict[str, Any],
    total: int | None,
) -> ChunkCounts:
    ctx = WriteContext(run.tenant_id, run.job_id, params.dry_run)
    for attempt in range(ATTEMPTS):
        try:
            async with run.session() as session:
                # First: no other run of this job has written a chunk since this one's last
                # (the row stays locked to the commit, so two runs never write at once).
                await run.fence(session)
                # The lookups bind a chunk's keys as one array. After five runs PostgreSQL
                # may switch a prepared statement to a generic plan, which cannot hash that
                # array nor see its size, and which scanned the tenant's rows against
                # every key: a chunk took seconds once the table held tens of thousands.
                await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
                counts = await apply_chunk(session, handler, rows, ctx,
                                           isolate=attempt == ATTEMPTS - 1)  # fmt: skip
                await insert_row_errors(session, ctx, [r for r in rows if not r.ok or r.notes])
                if not params.dry_run and counts.created + counts.updated:
                    _audit(session, run, params, handler, rows, counts)
                await run.save_progress(
                    session, checkpoint=checkpoint, total=total, processed=counts.processed,
                    created=counts.created, updated=counts.updated, skipped=counts.skipped,
                    failed=counts.failed,
                )  # fmt: skip
                await session.commit()
                return counts
        except (IntegrityError, DataError):
            # A concurrent write took a key between the lookups and the insert (look again),
            # or a rule no check foresaw (the last attempt isolates the rows at fault).
            if attempt == ATTEMPTS - 1:
                raise
            for row in rows:
                row.reset()
    raise AssertionError("unreachable")


async def run_import(run: Run, files: FileStore, processes: int = 0) -> Outcome:
    """Run (or resume) the import job `run`; ImportFileError for a file it cannot take.
    `processes` normalise the rows of a large file (0: the worker's thread does)."""
    params = ImportParams.from_json(run.params)
    checkpoint: dict[str, Any] = dict(run.checkpoint or {})
    if checkpoint.get("done"):
        report = checkpoint.get("errorReportFileId")
        return Outcome(report_file_id=uuid.UUID(report) if report else None)
    with contextlib.ExitStack() as stack:
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="clientbase-import-"))
        async with run.session() as session:
            upload = await session.get(File, params.file_id)
            if upload is None:
                raise ImportFileError(FileProblem.EMPTY, "The uploaded file does not exist.")
            filename = upload.filename
            country = await auth.default_country(session, run.tenant_id)
            policy = DuplicatePolicy(params.duplicate_policy or DuplicatePolicy.CREATE)
            screen = None
            if policy is not DuplicatePolicy.CREATE:
                settings = await duplicate_settings(session, run.tenant_id)
                screen = DuplicateScreen(policy, settings)
            spooled = await spool(files.open_chunks(session, params.file_id), Path(directory),
                                  MAX_FILE_BYTES)  # fmt: skip
        table = await asyncio.to_thread(open_table, spooled, filename, params.format)
        mapping = map_columns(params.entity, table.headers, params.mapping)
        handler = handler_for(params.entity, mapping, params.mode, run.tenant_id)
        handler.country = country
        handler.duplicates = screen
        missing = handler.missing_columns()
        if missing:
            raise ImportFileError(FileProblem.MISSING_COLUMNS,
                                  f"The file needs a column for {'; '.join(missing)}.")  # fmt: skip
        first_run = run.checkpoint is None
        checkpoint.setdefault("rows", 0)
        checkpoint.setdefault("processed", 0)
        checkpoint.update(headers=table.headers, format=table.format, **table.detail)
        source = table.rows(checkpoint["rows"])
        pool = stack.enter_context(normaliser_pool(table.total - checkpoint["rows"], processes))

        def read_next() -> tuple[int, list[Row]]:
            raw = _take(source, CHUNK_ROWS)
            return len(raw), shape_rows(handler, mapping, raw, pool)

        pending = asyncio.ensure_future(asyncio.to_thread(read_next))
        try:
            while True:
                consumed, rows = await pending
                if consumed == 0:
                    break
                pending = asyncio.ensure_future(asyncio.to_thread(read_next))
                checkpoint["rows"] += consumed
                checkpoint["processed"] += len(rows)
                total = table.total if first_run else None
                first_run = False
                await _write(run, handler, rows, params, dict(checkpoint), total)
                if await run.cancelled():
                    return Outcome(cancelled=True)
                if run.stopping():
                    return Outcome(interrupted=True)
        finally:
            with contextlib.suppress(Exception):
                await pending
    return await _finish(run, files, checkpoint)


async def _finish(run: Run, files: FileStore, checkpoint: dict[str, Any]) -> Outcome:
    async with run.session() as session:
        report = await write_error_report(session, run.tenant_id, run.job_id,
                                          checkpoint.get("headers", []), files)  # fmt: skip
        checkpoint["done"] = True
        checkpoint["errorReportFileId"] = str(report) if report else None
        await run.save_progress(session, checkpoint=checkpoint, total=checkpoint["processed"])
        await session.commit()
    return Outcome(report_file_id=report)
