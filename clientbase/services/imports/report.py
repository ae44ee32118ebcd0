"""The error report: the rows that failed, as CSV with the file's own columns plus `error`,
so the user can fix them in place and import the report again (the mapping ignores the
`error` column). Read back in pages by row number, never held whole in memory."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.file import FilePurpose
from clientbase.models.import_row_error import ImportRowError
from clientbase.services.imports.params import FileStore

ERROR_COLUMN = "error"
PAGE = 2_000
MAX_REPORT_BYTES = 4 * 1024**3
_PAGE_SQL = text(
    "SELECT row_number, (array_agg(raw) FILTER (WHERE raw IS NOT NULL))[1] AS raw, "
    "string_agg(coalesce(\"column\" || ': ', '') || message, '; ' ORDER BY created_at, id) "
    "FROM import_row_error WHERE job_id = :job_id AND row_number > :after "
    "GROUP BY row_number ORDER BY row_number LIMIT :limit"
)


def _line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


async def report_lines(
    session: AsyncSession, job_id: uuid.UUID, headers: Sequence[str]
) -> AsyncIterator[bytes]:
    # A BOM, so that spreadsheet programs open the UTF-8 as UTF-8; the importer skips it.
    yield ("\ufeff" + _line([*headers, ERROR_COLUMN])).encode()
    after = -1
    while True:
        page = (
            await session.execute(_PAGE_SQL, {"job_id": job_id, "after": after, "limit": PAGE})
        ).all()
        if not page:
            return
        lines = []
        for number, raw, message in page:
            cells = [str(c) for c in (raw or [])]
            width = len(headers)
            # Cells past the header (a ragged row) stay, after the error, so none is lost.
            padded = cells[:width] + [""] * (width - len(cells[:width]))
            lines.append(_line([*padded, message, *cells[width:]]))
            after = number
        yield "".join(lines).encode()


async def write_error_report(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    headers: Sequence[str],
    files: FileStore,
) -> uuid.UUID | None:
    """Store the report (purpose ERROR_REPORT) and return its file id; None if no errors."""
    failed = await session.scalar(select(exists().where(ImportRowError.job_id == job_id)))
    if not failed:
        return None
    stored = await files.store_stream(
        session, tenant_id, f"import-{job_id}-errors.csv", "text/csv; charset=utf-8",
        report_lines(session, job_id, headers), FilePurpose.ERROR_REPORT.value,
        MAX_REPORT_BYTES,
    )  # fmt: skip
    return stored.id
