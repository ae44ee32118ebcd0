"""Apply one chunk of shaped rows inside the caller's transaction, and record its errors.

A dry run applies the chunk exactly as a real run would, inside a savepoint it then
rolls back: the constraints, lookups and change detection all run, nothing stays.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.services.errors import ErrorCode, from_integrity_error, problem
from clientbase.services.imports.entities.base import EntityImport
from clientbase.services.imports.rows import Row, add_domain_error, waves
from clientbase.services.imports.stage import apply


@dataclass
class ChunkCounts:
    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass(frozen=True)
class WriteContext:
    tenant_id: uuid.UUID
    job_id: uuid.UUID
    dry_run: bool


def _check_all(handler: EntityImport, rows: Sequence[Row]) -> None:
    for row in rows:
        handler.check(row)
        handler.check_lengths(row)


async def _apply_wave(
    session: AsyncSession, handler: EntityImport, wave: Sequence[Row], ctx: WriteContext
) -> dict[int, bool]:
    await handler.resolve(session, wave)
    # The services' checks and normalisers are CPU work (phone numbers, tax ids): off the
    # event loop, which keeps the job's heartbeat going.
    await asyncio.to_thread(_check_all, handler, wave)
    ready = await handler.before_apply(session, [row for row in wave if row.ok], ctx)
    applied = await apply(session, handler.target(), ready, tenant_id=ctx.tenant_id,
                          job_id=ctx.job_id, log_changes=not ctx.dry_run)  # fmt: skip
    await handler.after_apply(session, ready, applied, ctx)
    return applied


async def _apply_isolated(
    session: AsyncSession, handler: EntityImport, rows: Sequence[Row], ctx: WriteContext
) -> dict[int, bool]:
    """One savepoint per row: slow, used only when a chunk broke a constraint that the
    checks did not foresee, to find the rows at fault and keep the others."""
    results: dict[int, bool] = {}
    for row in rows:
        savepoint = await session.begin_nested()
        try:
            results.update(await _apply_wave(session, handler, [row], ctx))
            await savepoint.commit()
        except (IntegrityError, DataError) as error:
            await savepoint.rollback()
            row.reset()
            mapped = from_integrity_error(error) if isinstance(error, IntegrityError) else None
            if mapped is None:
                # A rule no check foresaw: the row is refused with the database's words.
                reason = str(getattr(error.orig, "__cause__", None) or error.orig)
                mapped = problem("row", ErrorCode.INVALID, f"Refused by the database: {reason}")
            add_domain_error(row, handler.mapping, mapped)
    return results


async def apply_chunk(
    session: AsyncSession,
    handler: EntityImport,
    rows: Sequence[Row],
    ctx: WriteContext,
    *,
    isolate: bool = False,
) -> ChunkCounts:
    valid = [row for row in rows if row.ok]
    dry = await session.begin_nested() if ctx.dry_run else None
    results: dict[int, bool] = {}
    if isolate:
        results = await _apply_isolated(session, handler, valid, ctx)
    else:
        for wave in waves(valid, handler.claims):
            results.update(await _apply_wave(session, handler, wave, ctx))
    if dry is not None:
        await dry.rollback()
    counts = ChunkCounts(processed=len(rows))
    counts.created = sum(1 for created in results.values() if created)
    counts.updated = len(results) - counts.created
    counts.failed = sum(1 for row in rows if not row.ok)
    counts.skipped = counts.processed - counts.created - counts.updated - counts.failed
    return counts


def _printable(text: str | None) -> str | None:
    """PostgreSQL text and JSONB cannot hold NUL; the report shows U+FFFD in its place."""
    return text.replace("\x00", "\ufffd") if text else text


async def insert_row_errors(session: AsyncSession, ctx: WriteContext, rows: Sequence[Row]) -> None:
    """All issues (and notes) of `rows` in one statement (COPY is refused under row-level
    security); the raw cells go with the first issue of each row only."""
    numbers: list[int] = []
    columns: list[str | None] = []
    codes: list[str] = []
    messages: list[str] = []
    raws: list[str | None] = []
    for row in rows:
        for index, issue in enumerate([*row.issues, *row.notes]):
            numbers.append(row.number)
            columns.append(_printable(issue.column))
            codes.append(str(issue.code))
            messages.append(_printable(issue.message) or "")
            raw = [_printable(cell) for cell in row.raw]
            raws.append(json.dumps(raw) if index == 0 else None)
    if not numbers:
        return
    await session.execute(
        text(
            "INSERT INTO import_row_error (tenant_id, job_id, row_number, \"column\", code, "
            "message, raw) SELECT CAST(:tenant_id AS uuid), CAST(:job_id AS uuid), * FROM "
            "unnest(CAST(:numbers AS integer[]), CAST(:columns AS text[]), "
            "CAST(:codes AS text[]), CAST(:messages AS text[]), CAST(:raws AS jsonb[]))"
        ),
        {"tenant_id": str(ctx.tenant_id), "job_id": str(ctx.job_id), "numbers": numbers,
         "columns": columns, "codes": codes, "messages": messages, "raws": raws},
    )  # fmt: skip
