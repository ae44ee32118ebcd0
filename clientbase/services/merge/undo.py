"""customersMergeUndo: put back everything a merge recorded, in one transaction owned by the
caller, unless something it wrote has been written since (MERGE_CHANGED_SINCE, naming it)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer
from clientbase.models.customer_merge import CustomerMerge, MergeStatus
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import DomainError, ErrorCode, Problem, problem
from clientbase.services.merge import statements as sql
from clientbase.services.merge.plan import within_limits
from clientbase.services.merge.service import audit_merge, audit_parameters, json_text

# How many changed rows an undo refusal names.
NAMED = 5


async def undo(session: AsyncSession, actor: Principal, merge_id: uuid.UUID) -> Customer:
    """Undo the merge `merge_id`; returns the survivor as it is again."""
    async with within_limits():
        return await _undo(session, actor, merge_id)


async def _undo(session: AsyncSession, actor: Principal, merge_id: uuid.UUID) -> Customer:
    row = await session.scalar(
        select(CustomerMerge)
        .where(CustomerMerge.id == merge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise problem("mergeId", ErrorCode.NOT_FOUND, "No CustomerMerge with this id.")
    if row.status == MergeStatus.UNDONE.value:
        raise problem("mergeId", ErrorCode.INVALID_STATE, "This merge was undone already.")
    await _check_unchanged(session, row)
    params = {**audit_parameters(actor, row.id), "survivor": row.survivor_id}
    await session.execute(sql.DEFER)
    await session.execute(sql.RESTORE_COMBINED_SITES, params)
    for spec in sql.MOVED:
        await session.execute(sql.move_back(spec), params)
    await session.execute(sql.CHECK_NOW)
    record = row.record
    fields = record["survivor"]["fields"]
    if fields:
        before = {column: change["before"] for column, change in fields.items()}
        assignments = ", ".join(f"{column} = r.{column}" for column in fields)
        await session.execute(
            text(
                f"UPDATE customer c SET {assignments} FROM jsonb_populate_record("  # noqa: S608
                "NULL::customer, CAST(:before AS jsonb)) AS r WHERE c.id = :survivor"
            ),
            {"before": json_text(before), "survivor": row.survivor_id},
        )
    await session.execute(
        text("UPDATE customer SET version = version + 1, updated_at = now() WHERE id = :id"),
        {"id": row.survivor_id},
    )
    await session.execute(
        text(
            "UPDATE customer c SET status = r.status, merged_into_id = NULL, "
            "version = c.version + 1, updated_at = now() FROM jsonb_to_recordset("
            "CAST(:merged AS jsonb)) AS r (id uuid, status text) WHERE c.id = r.id"
        ),
        {"merged": json_text(record["merged"])},
    )
    await session.execute(sql.RESTORE_CANDIDATES, params)
    row.status = MergeStatus.UNDONE.value
    row.undone_at = dt.datetime.now(dt.UTC)
    row.undone_by = f"{actor.actor_kind}:{actor.actor_id}"
    await session.flush()
    await audit_merge(session, actor, row.id, "Customer.mergeUndo", list(row.merged_ids))
    survivor = await session.get(Customer, row.survivor_id, populate_existing=True)
    assert survivor is not None
    for merged_id in row.merged_ids:
        await session.get(Customer, merged_id, populate_existing=True)
    return survivor


async def _check_unchanged(session: AsyncSession, row: CustomerMerge) -> None:
    """Refuse the undo, naming what changed, if anything the merge wrote was written since."""
    record = row.record
    params = {"merge_id": row.id, "survivor": row.survivor_id, "limit": NAMED}
    changed: list[str] = []
    customers = {
        r.id: r
        for r in (
            await session.execute(
                text(
                    "SELECT id, code, version, status, merged_into_id FROM customer "
                    "WHERE id = ANY(CAST(:ids AS uuid[])) FOR UPDATE"
                ),
                {"ids": [row.survivor_id, *row.merged_ids]},
            )
        )
    }
    expected = [(record["survivor"]["id"], record["survivor"]["version"], "the survivor")]
    expected += [(m["id"], m["version"], "merged customer") for m in record["merged"]]
    for customer_id, version, role in expected:
        found = customers.get(uuid.UUID(customer_id))
        if found is None:
            changed.append(f"{role} Customer {customer_id} no longer exists")
        elif found.version != version:
            changed.append(
                f"{role} Customer {found.code} is at version {found.version}, "
                f"was {version} after the merge"
            )
    for spec in sql.MOVED:
        for row_id, version in await session.execute(sql.changed_since(spec), params):
            now = "deleted" if version is None else f"at version {version}"
            changed.append(f"{spec.entity} {row_id} changed since the merge ({now})")
    for (row_id,) in await session.execute(sql.NEW_USERS, params):
        changed.append(f"InventoryItem {row_id} now uses a contract or site the merge moved")
    if changed:
        shown = "; ".join(changed[:NAMED])
        more = f" (and {len(changed) - NAMED} more)" if len(changed) > NAMED else ""
        raise DomainError(
            [
                Problem(
                    ("mergeId",),
                    ErrorCode.MERGE_CHANGED_SINCE,
                    f"Written since the merge, so it cannot be undone: {shown}{more}.",
                )
            ]
        )
