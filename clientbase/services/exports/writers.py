"""The bytes of an export file, produced as they are read, never the whole result at once.

CSV: PostgreSQL's COPY (SELECT ...) TO STDOUT writes the file itself (the cells made text
and formula-escaped in the SELECT); Python only forwards its blocks, with a bounded queue
between the COPY and the file store, so a slow store slows the COPY instead of filling
memory. JSONL: rows from a server-side cursor, a partition at a time. XLSX: the same rows
into xlsxwriter in constant-memory mode (each row goes to disk as it is written) in a
temporary directory, and the finished workbook is then streamed from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.core.db import driver_connection
from clientbase.services.exports.query import compiled
from clientbase.services.formula import escape_text_cell

BOM = "\ufeff".encode()
# Blocks of COPY output waiting for the file store; about 64 KiB each.
QUEUE_BLOCKS = 32
CURSOR_ROWS = 2_000
FILE_BLOCK = 1024 * 1024
# A worksheet has 1,048,576 rows; the header takes one.
XLSX_MAX_ROWS = 1_048_575

Advance = Callable[[int], Awaitable[None]]


class ExportTooLargeError(Exception):
    """The rows do not fit the chosen format."""


class CopyStream:
    """COPY (SELECT ...) TO STDOUT as CSV, forwarded block by block."""

    def __init__(self, session: AsyncSession, statement: Select[Any], bom: bool) -> None:
        self._session = session
        self._statement = statement
        self._bom = bom
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        # Free places in the queue; the end marker needs none, so it never waits.
        self._slots = asyncio.Semaphore(QUEUE_BLOCKS)
        self._task: asyncio.Task[int] | None = None
        self.rows = 0

    async def _forward(self, data: bytes) -> None:
        await self._slots.acquire()
        self._queue.put_nowait(data)

    async def _copy(self) -> int:
        try:
            sql, args = compiled(self._session, self._statement)
            connection = await driver_connection(self._session)
            status: str = await connection.copy_from_query(
                sql, *args, output=self._forward, format="csv", header=True
            )
            return int(status.split()[-1])
        finally:
            self._queue.put_nowait(None)

    async def chunks(self, advance: Advance) -> AsyncIterator[bytes]:
        self._task = asyncio.create_task(self._copy())
        if self._bom:
            yield BOM
        while (data := await self._queue.get()) is not None:
            self._slots.release()
            # Rows as lines: a quoted cell with a line break counts twice, which only makes
            # the progress run ahead until the exact count replaces it at the end.
            await advance(data.count(b"\n"))
            yield data
        self.rows = await self._task

    async def close(self) -> None:
        """Stop the COPY if the file store gave up first."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            # A COPY stopped midway can leave its connection mid-protocol, where a rollback
            # fails ("another operation is in progress"): discard the connection instead.
            await self._session.invalidate()


def _json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


async def _partitions(session: AsyncSession, statement: Select[Any]
                      ) -> AsyncIterator[Sequence[Any]]:  # fmt: skip
    result = await session.stream(statement.execution_options(yield_per=CURSOR_ROWS))
    async for partition in result.partitions():
        yield partition


class JsonLinesStream:
    """One JSON object per row, keys in column order; typed values (true, null)."""

    def __init__(self, session: AsyncSession, statement: Select[Any], columns: Sequence[str]
                 ) -> None:  # fmt: skip
        self._session, self._statement, self._columns = session, statement, list(columns)
        self.rows = 0

    def _lines(self, rows: Sequence[Any]) -> bytes:
        columns = self._columns
        return "".join(
            json.dumps({c: _json_value(v) for c, v in zip(columns, row, strict=True)},
                       ensure_ascii=False) + "\n"
            for row in rows
        ).encode()  # fmt: skip

    async def chunks(self, advance: Advance) -> AsyncIterator[bytes]:
        async for rows in _partitions(self._session, self._statement):
            self.rows += len(rows)
            await advance(len(rows))
            yield self._lines(rows)

    async def close(self) -> None:
        return None


class XlsxStream:
    """A workbook of one sheet: a header row, then text cells written as strings (never
    formulas), dates as dates, flags as booleans."""

    def __init__(self, session: AsyncSession, statement: Select[Any], columns: Sequence[str],
                 total: int) -> None:  # fmt: skip
        self._session, self._statement, self._columns = session, statement, list(columns)
        self._total = total
        self.rows = 0

    def _write(self, sheet: Any, date_format: Any, rows: Sequence[Any]) -> None:
        for row in rows:
            self.rows += 1
            for column, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(self.rows, column, value)
                elif isinstance(value, dt.datetime):
                    sheet.write_string(self.rows, column, _json_value(value))
                elif isinstance(value, dt.date):
                    moment = dt.datetime.combine(value, dt.time())
                    sheet.write_datetime(self.rows, column, moment, date_format)
                else:
                    sheet.write_string(self.rows, column, escape_text_cell(str(value)))

    async def chunks(self, advance: Advance) -> AsyncIterator[bytes]:
        if self._total > XLSX_MAX_ROWS:
            raise ExportTooLargeError(
                f"An XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows and this export has "
                f"{self._total:,}: export CSV or JSONL, or filter the rows."
            )
        with tempfile.TemporaryDirectory(prefix="clientbase-export-") as directory:
            path = Path(directory) / "export.xlsx"
            book = xlsxwriter.Workbook(str(path), {
                "constant_memory": True, "tmpdir": directory, "strings_to_numbers": False,
                "strings_to_formulas": False, "strings_to_urls": False,
            })  # fmt: skip
            sheet = book.add_worksheet("export")
            date_format = book.add_format({"num_format": "yyyy-mm-dd"})
            bold = book.add_format({"bold": True})
            for column, name in enumerate(self._columns):
                sheet.write_string(0, column, name, bold)
            try:
                async for rows in _partitions(self._session, self._statement):
                    if self.rows + len(rows) > XLSX_MAX_ROWS:
                        raise ExportTooLargeError(
                            f"An XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows."
                        )
                    # Writing cells is CPU work: off the event loop, which keeps the heartbeat.
                    await asyncio.to_thread(self._write, sheet, date_format, rows)
                    await advance(len(rows))
            finally:
                await asyncio.to_thread(book.close)
            with path.open("rb") as stream:
                while block := await asyncio.to_thread(stream.read, FILE_BLOCK):
                    yield block

    async def close(self) -> None:
        return None
