"""Undo an import: delete what it created and restore what it updated, record by record,
but only where nobody changed the record since (its version is still the import's).

A record the import wrote twice (a key repeated in the file) is undone once, from its
first change: its row before the job, or its deletion if the job created it. Undone
changes are deleted from import_change in the same transaction as the undo, so a resumed
or repeated rollback never undoes anything twice; records left alone are reported as
row errors of the rollback job (counted as failed, so the job ends PARTIAL), with the file
row that changed them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models import Base
from clientbase.services.audit import service as audit
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.imports.params import Run
from clientbase.services.imports.problems import RowIssue
from clientbase.services.imports.rows import Row
from clientbase.services.imports.stage import BOOKKEEPING
from clientbase.services.imports.writer import WriteContext, insert_row_errors

BATCH = 1_000
_CHANGES = text(
    "SELECT entity, record_id, min(row_number) AS row_number, "
    "(array_agg(action ORDER BY created_at, row_number, id))[1] AS first_action, "
    "(array_agg(before ORDER BY created_at, row_number, id))[1]::text AS before, "
    "max(version) AS version FROM import_change WHERE job_id = :job_id "
    "AND (entity, record_id) > (:entity, CAST(:record_id AS uuid)) "
    "GROUP BY entity, record_id ORDER BY entity, record_id LIMIT :limit"
)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


async def _undo_one(session: AsyncSession, table: Table, change: Any) -> str | None:
    """Undo one record's changes in a savepoint; None when done, else why it was left."""
    savepoint = await session.begin_nested()
    try:
        if change.first_action == "CREATED":
            sql = f"DELETE FROM {table.name} WHERE id = :id AND version = :version RETURNING id"  # noqa: S608
            params: dict[str, Any] = {"id": change.record_id, "version": change.version}
        else:
            fixed = BOOKKEEPING | {"id", "tenant_id"}
            listed = ", ".join(c.name for c in table.columns if c.name not in fixed)
            sql = (
                f"UPDATE {table.name} SET ({listed}) = (SELECT {listed} FROM "  # noqa: S608
                f"jsonb_populate_record(NULL::{table.name}, CAST(:before AS jsonb))), "
                "version = version + 1, updated_at = now() "
                "WHERE id = :id AND version = :version RETURNING id"
            )
            params = {"id": change.record_id, "version": change.version,
                      "before": change.before}  # fmt: skip
        done = (await session.execute(text(sql), params)).first()
        await savepoint.commit()
    except IntegrityError:
        await savepoint.rollback()
        return "HAS_DEPENDENTS"
    return None if done else "VERSION_CONFLICT"


_WHY = {
    "HAS_DEPENDENTS": "Other records now refer to it (or its old values clash); left as it is.",
    "VERSION_CONFLICT": "It changed (or was deleted) after the import; left as it is.",
}


async def _batch(
    session: AsyncSession, run: Run, target: uuid.UUID, after: tuple[str, str]
) -> tuple[list[Any], int, list[Row]]:
    changes = (
        await session.execute(
            _CHANGES, {"job_id": target, "entity": after[0], "record_id": after[1], "limit": BATCH}
        )
    ).all()
    undone: list[tuple[str, uuid.UUID]] = []
    left: list[Row] = []
    for change in changes:
        why = await _undo_one(session, _table(change.entity), change)
        if why is None:
            undone.append((change.entity, change.record_id))
            continue
        message = f"{change.entity} {change.record_id}: {_WHY[why]}"
        left.append(Row(change.row_number, [], {}, [RowIssue(None, why, message)]))
    if undone:
        await session.execute(
            text("DELETE FROM import_change WHERE job_id = :job_id AND (entity, record_id) IN "
                 "(SELECT * FROM unnest(CAST(:entities AS text[]), CAST(:ids AS uuid[])))"),
            {"job_id": target, "entities": [e for e, _ in undone],
             "ids": [str(i) for _, i in undone]},
        )  # fmt: skip
    return list(changes), len(undone), left


async def run_rollback(run: Run) -> bool:
    """Undo the import job named by params["jobId"]; True if cancelled midway."""
    target = uuid.UUID(run.params["jobId"])
    checkpoint = dict(run.checkpoint or {"after": ["", str(uuid.UUID(int=0))]})
    actor = Principal(run.tenant_id, Role.EDITOR, run.params.get("actorKind", "SYSTEM"),
                      run.params.get("actorId") or f"job:{run.job_id}",
                      run.params.get("actorLabel") or "import rollback")  # fmt: skip
    ctx = WriteContext(run.tenant_id, run.job_id, dry_run=False)
    while True:
        async with run.session() as session:
            after = (checkpoint["after"][0], checkpoint["after"][1])
            changes, undone, left = await _batch(session, run, target, after)
            if not changes:
                return False
            await insert_row_errors(session, ctx, left)
            entity = changes[-1].entity
            audit.record(session, actor, f"{entity}.import_rollback", entity, None,
                         {"import_job": str(target), "undone": undone})  # fmt: skip
            checkpoint["after"] = [entity, str(changes[-1].record_id)]
            await run.save_progress(session, checkpoint=dict(checkpoint),
                                    processed=len(changes), updated=undone,
                                    failed=len(left))  # fmt: skip
            await session.commit()
        if await run.cancelled():
            return True
