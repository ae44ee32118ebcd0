"""Write a wave of valid rows: COPY into a staging table, then one INSERT ... ON CONFLICT.

Tables under row-level security refuse COPY FROM, so rows are copied into a temporary
table (private to the session, dropped at commit) and moved with INSERT ... SELECT,
which the policy checks. Every staged row carries the whole record: the existing row
overlaid with the file's values for an update, defaults and the file's values for a
creation. The conflict target is the primary key, known for every row after the lookups
(which locked the rows being updated); the DO UPDATE's WHERE skips rows with nothing new,
so they keep their version and updated_at. PostgreSQL 18's RETURNING old/new tells
creations from updates and gives the row before, recorded in import_change for rollback.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.core.db import driver_connection
from clientbase.services.imports.rows import Row

# Bookkeeping columns the database fills; never staged.
BOOKKEEPING = frozenset({"version", "created_at", "updated_at"})


@dataclass(frozen=True)
class Target:
    table: Table
    # Columns whose change makes an update; the file's columns and the relations they name.
    compared: tuple[str, ...]
    # Columns set on update: `compared` and the keys derived from them.
    updated: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns if c.name not in BOOKKEEPING]

    @property
    def stage(self) -> str:
        return f"import_stage_{self.table.name}"


async def copy_rows(session: AsyncSession, target: Target, rows: Sequence[Row]) -> None:
    columns = target.columns
    jsonb = {c.name for c in target.table.columns if isinstance(c.type, JSONB)}
    await session.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {target.stage} "
            f"(LIKE {target.table.name} INCLUDING DEFAULTS, import_row integer NOT NULL) "
            "ON COMMIT DROP"
        )
    )
    await session.execute(text(f"TRUNCATE {target.stage}"))
    records = []
    for row in rows:
        record = row.record
        assert record is not None
        values = [json.dumps(record.get(c)) if c in jsonb else record.get(c) for c in columns]
        records.append((*values, row.number))
    connection = await driver_connection(session)
    await connection.copy_records_to_table(
        target.stage, records=records, columns=[*columns, "import_row"]
    )


def _upsert_sql(target: Target, log_changes: bool) -> str:
    # Every name below comes from the models' metadata, never from the file.
    table = target.table.name
    columns = ", ".join(target.columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in target.updated)
    current = ", ".join(f"t.{c}" for c in target.compared)
    proposed = ", ".join(f"EXCLUDED.{c}" for c in target.compared)
    # ROW(): a one-column comparison is still a row comparison.
    upsert = (
        f"INSERT INTO {table} AS t ({columns}) SELECT {columns} FROM {target.stage} "  # noqa: S608
        f"ON CONFLICT (id) DO UPDATE SET {updates}, version = t.version + 1, "
        f"updated_at = now() WHERE ROW({current}) IS DISTINCT FROM ROW({proposed}) "
        "RETURNING new.id, new.version, old.id IS NULL AS created, "
        "CASE WHEN old.id IS NULL THEN NULL ELSE to_jsonb(old) END AS before"
    )
    log = ""
    if log_changes:
        log = (
            ", logged AS (INSERT INTO import_change (tenant_id, job_id, row_number, entity, "  # noqa: S608
            "record_id, action, version, before) SELECT CAST(:tenant_id AS uuid), "
            f"CAST(:job_id AS uuid), s.import_row, '{table}', a.id, "
            "CASE WHEN a.created THEN 'CREATED' ELSE 'UPDATED' END, a.version, a.before "
            f"FROM applied a JOIN {target.stage} s ON s.id = a.id)"
        )
    return (
        f"WITH applied AS ({upsert}){log} "  # noqa: S608
        f"SELECT s.import_row, a.created FROM applied a JOIN {target.stage} s ON s.id = a.id"
    )


async def apply(
    session: AsyncSession,
    target: Target,
    rows: Sequence[Row],
    *,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    log_changes: bool,
) -> dict[int, bool]:
    """Write `rows` (valid, each with its record); row number -> True if created, False if
    updated. Rows missing from the answer had nothing new."""
    if not rows:
        return {}
    await copy_rows(session, target, rows)
    params = {"tenant_id": str(tenant_id), "job_id": str(job_id)} if log_changes else {}
    result = await session.execute(text(_upsert_sql(target, log_changes)), params)
    return {number: created for number, created in result.all()}
