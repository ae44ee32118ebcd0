"""The export job: count the rows, stream them into a file, keep the file with the job.

Three sessions work at once: one reads (a COPY or a cursor, in one snapshot), one writes
the file's chunks in a single transaction, and short ones commit the progress and look for
a cancellation. The file's transaction also records the result in the job's checkpoint,
so the file and "done" commit together. A run that dies midway leaves nothing behind (its
file's transaction dies with it) and a new run starts again from the first row; a message
delivered again for a finished job finds nothing to claim, or a "done" checkpoint.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.file import FilePurpose
from clientbase.services.exports.catalog import ExportFormat
from clientbase.services.exports.params import CONTENT_TYPES, ExportParams, ExportResult
from clientbase.services.exports.query import count_query, decode_filter, export_query
from clientbase.services.exports.writers import CopyStream, JsonLinesStream, XlsxStream
from clientbase.services.files import service as files
from clientbase.services.jobs import service as jobs
from clientbase.services.jobs.runner import JobCancelled, JobRun

# Progress is committed (and a cancellation looked for) every this many rows.
PROGRESS_ROWS = 50_000


class Stream(Protocol):
    rows: int

    def chunks(self, advance: Callable[[int], Awaitable[None]]) -> AsyncIterator[bytes]: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ExportLimits:
    link_lifetime: timedelta
    max_bytes: int


class Progress:
    """Counts rows as they pass and commits them now and then; raises JobCancelled when
    the job was asked to stop, which rolls the file back."""

    def __init__(self, run: JobRun, total: int) -> None:
        self._run, self._total, self._every = run, total, PROGRESS_ROWS
        self.seen = 0
        self.reported = 0

    async def advance(self, rows: int) -> None:
        self.seen += rows
        if self.seen - self.reported >= self._every:
            await self._save()
            if await self._run.cancelled():
                raise JobCancelled

    async def _save(self) -> None:
        delta = min(self.seen, self._total) - self.reported
        async with self._run.session() as session:
            await self._run.save_progress(session, processed=delta)
            await session.commit()
        self.reported += delta


async def _restart(run: JobRun, params: ExportParams) -> int:
    """The row count, and counters back at zero for a run that starts again."""
    tree = decode_filter(params.entity, params.filter)
    async with run.session() as session:
        total = int(await session.scalar(count_query(params.entity, tree, params.search)) or 0)
        job = await jobs.get(session, run.job_id)
        before = job.processed if job is not None else 0
        await run.save_progress(session, total=total, processed=-before, checkpoint={})
        await session.commit()
    return total


def _stream(params: ExportParams, reader: AsyncSession, total: int) -> Stream:
    tree = decode_filter(params.entity, params.filter)
    text_cells = params.format is ExportFormat.CSV
    statement = export_query(params.entity, params.columns, tree, params.search,
                             text_cells=text_cells)  # fmt: skip
    if params.format is ExportFormat.CSV:
        return CopyStream(reader, statement, params.bom)
    if params.format is ExportFormat.JSONL:
        return JsonLinesStream(reader, statement, params.columns)
    return XlsxStream(reader, statement, params.columns, total)


async def run_export(run: JobRun, limits: ExportLimits) -> ExportResult:
    """Run the export job `run` from its first row; JobCancelled if asked to stop."""
    params = ExportParams.from_json(run.params)
    done = ExportResult.from_checkpoint(run.checkpoint)
    if done is not None:
        return done
    total = await _restart(run, params)
    if await run.cancelled():
        raise JobCancelled
    progress = Progress(run, total)
    async with run.session() as reader, run.session() as writer:
        stream = _stream(params, reader, total)
        try:
            expires_at = datetime.now(UTC) + limits.link_lifetime
            stored = await files.store_stream(
                writer, run.tenant_id, params.filename, CONTENT_TYPES[params.format],
                stream.chunks(progress.advance), FilePurpose.EXPORT, limits.max_bytes,
                expires_at=expires_at,
            )  # fmt: skip
        finally:
            await stream.close()
        result = ExportResult(stored.id, stream.rows, expires_at)
        checkpoint: dict[str, Any] = result.to_json()
        await run.save_progress(writer, checkpoint=checkpoint, total=stream.rows,
                                processed=stream.rows - progress.reported)  # fmt: skip
        await writer.commit()
    return result
