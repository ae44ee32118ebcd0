"""customersMerge: one transaction, owned by the caller (undo.py takes a merge back).

A merge moves the contacts, contracts, sites and inventory of the merged customers to the
survivor (sites of the same name become one), marks the merged customers MERGED with a
pointer to the survivor, may copy identity fields onto the survivor, and records all of it
(ids per table, previous owners and values, the version each row was left at) in a
`customer_merge` row and an audit event. Every row it writes gets a new version.

An undo (undo.py) puts every recorded row back and writes each once more (its version moves on
again: a version number is never reused for another state). Rows the merge deleted (the
folded sites) come back exactly as they were. If anything the merge wrote has been written
since, the undo is refused with MERGE_CHANGED_SINCE, naming the first such rows.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer_merge import CustomerMerge
from clientbase.services.audit import service as audit
from clientbase.services.auth.principal import Principal
from clientbase.services.merge import statements as sql
from clientbase.services.merge.plan import MergePlan, MergeRequest, plan, within_limits


def audit_parameters(actor: Principal, merge_id: uuid.UUID) -> dict[str, Any]:
    return {
        "tenant": actor.tenant_id,
        "now": dt.datetime.now(dt.UTC),
        "actor_kind": actor.actor_kind,
        "actor_id": actor.actor_id,
        "actor_label": actor.label,
        "request_id": structlog.contextvars.get_contextvars().get("request_id"),
        "merge_id": merge_id,
    }


async def _primary_to_keep(session: AsyncSession, merge: MergePlan) -> uuid.UUID | None:
    """The survivor keeps its primary contact; without one, it takes the primary contact of
    the first merged customer (in the order given) that has one. Other primaries step down."""
    rows = await session.execute(
        text(
            "SELECT id, customer_id FROM contact WHERE is_primary "
            "AND customer_id = ANY(CAST(:ids AS uuid[]))"
        ),
        {"ids": [merge.survivor.id, *merge.merged_ids]},
    )
    primaries = {customer_id: contact_id for contact_id, customer_id in rows}
    if merge.survivor.id in primaries:
        return None
    return next((primaries[m] for m in merge.merged_ids if m in primaries), None)


async def _copy_fields(session: AsyncSession, merge: MergePlan) -> dict[str, Any]:
    """Copy the overridden columns onto the survivor (stored values, keys included) and
    bump its version; returns {column: {before, after}} for what really changed."""
    survivor = merge.survivor
    by_id = {m.id: m for m in merge.merged}
    changed = {}
    for column, source in merge.copies.items():
        before = audit.snapshot(survivor, [column])[column]
        after = audit.snapshot(by_id[source], [column])[column]
        if before != after:
            changed[column] = {"before": before, "after": after}
    sources = sorted(set(merge.copies.values()))
    for source in sources:
        columns = [c for c, s in merge.copies.items() if s == source]
        await session.execute(
            text(
                f"UPDATE customer s SET {', '.join(f'{c} = m.{c}' for c in columns)} "  # noqa: S608
                "FROM customer m WHERE s.id = :survivor AND m.id = :source"
            ),
            {"survivor": survivor.id, "source": source},
        )
    # The survivor is one record more than it was (contacts, keys): the duplicate scan sees a
    # new version and compares it afresh.
    await session.execute(
        text("UPDATE customer SET version = version + 1, updated_at = now() WHERE id = :id"),
        {"id": survivor.id},
    )
    return changed


async def merge(session: AsyncSession, actor: Principal, request: MergeRequest) -> CustomerMerge:
    """Merge `request.merged_ids` into `request.survivor_id`; returns the merge record."""
    async with within_limits():
        return await _merge(session, actor, request)


async def _merge(session: AsyncSession, actor: Principal, request: MergeRequest) -> CustomerMerge:
    merge_plan = await plan(session, request)
    survivor, merged_ids = merge_plan.survivor, merge_plan.merged_ids
    row = CustomerMerge(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        survivor_id=survivor.id,
        merged_ids=merged_ids,
        record={},
        created_by=f"{actor.actor_kind}:{actor.actor_id}",
    )
    session.add(row)
    await session.flush()
    keep = await _primary_to_keep(session, merge_plan)
    sources = list(merge_plan.combined_sites)
    targets = [merge_plan.combined_sites[s] for s in sources]
    params = {
        **audit_parameters(actor, row.id),
        "survivor": survivor.id,
        "merged": merged_ids,
        "sources": sources,
        "targets": targets,
        "keep_primary": keep,
    }
    await session.execute(sql.DEFER)
    site_map = (
        "LEFT JOIN unnest(CAST(:sources AS uuid[]), CAST(:targets AS uuid[])) "
        "AS s (source, target) ON s.source = old.site_id"
    )
    await session.execute(
        sql.move(sql.ITEMS, {"site_id": "COALESCE(s.target, old.site_id)"}, join=site_map), params
    )
    await session.execute(
        sql.move(
            sql.CONTACTS,
            {
                "is_primary": "(old.is_primary AND old.id IS "
                "NOT DISTINCT FROM CAST(:keep_primary AS uuid))"
            },
        ),
        params,
    )
    await session.execute(sql.move(sql.CONTRACTS, {}), params)
    await session.execute(
        sql.move(sql.SITES, {}, where=" AND id <> ALL(CAST(:sources AS uuid[]))"), params
    )
    await session.execute(sql.DROP_COMBINED_SITES, params)
    await session.execute(sql.CHECK_NOW)
    fields = await _copy_fields(session, merge_plan)
    statuses = await _retire(session, merge_plan)
    await session.execute(
        sql.MARK_CANDIDATES,
        {
            **params,
            "everyone": [survivor.id, *merged_ids],
            "resolved_by": f"{actor.actor_kind}:{actor.actor_id}",
        },
    )
    await session.execute(sql.DROP_CANDIDATES, params)
    versions = await _versions(session, [survivor.id, *merged_ids])
    record_parts = {
        "survivor": {"id": str(survivor.id), "version": versions[survivor.id], "fields": fields},
        "merged": [
            {"id": str(m), "status": statuses[m], "version": versions[m]} for m in merged_ids
        ],
    }
    await session.execute(
        text("UPDATE customer_merge SET record = record || CAST(:parts AS jsonb) WHERE id = :id"),
        {"parts": json_text(record_parts), "id": row.id},
    )
    await audit_merge(session, actor, row.id, "Customer.merge", merged_ids)
    await session.refresh(row)
    for customer in (survivor, *merge_plan.merged):
        await session.refresh(customer)
    return row


def json_text(value: Any) -> str:
    return json.dumps(value)


async def _versions(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        text("SELECT id, version FROM customer WHERE id = ANY(CAST(:ids AS uuid[]))"),
        {"ids": ids},
    )
    return {row_id: version for row_id, version in rows}


async def _retire(session: AsyncSession, merge: MergePlan) -> dict[uuid.UUID, str]:
    """Merged customers become MERGED, pointing at the survivor; returns their old status."""
    before = {m.id: m.status for m in merge.merged}
    await session.execute(
        text(
            "UPDATE customer SET status = 'MERGED', merged_into_id = :survivor, "
            "version = version + 1, updated_at = now() WHERE id = ANY(CAST(:ids AS uuid[]))"
        ),
        {"survivor": merge.survivor.id, "ids": merge.merged_ids},
    )
    return before


async def audit_merge(
    session: AsyncSession,
    actor: Principal,
    merge_id: uuid.UUID,
    action: str,
    merged_ids: list[uuid.UUID],
) -> None:
    """One event on each customer. The survivor's names the merged customers, its own
    field changes and how many rows of each kind moved; the rows themselves are in the
    merge's record and in each moved row's own event (a 50,000-item record here would
    make every read of the survivor's history carry megabytes)."""
    params = audit_parameters(actor, merge_id)
    await session.execute(
        text(
            "INSERT INTO audit_event (tenant_id, occurred_at, actor_kind, actor_id, actor_label, "
            "action, entity_type, entity_id, changes, request_id) SELECT CAST(:tenant AS uuid), "
            "CAST(:now AS timestamptz), :actor_kind, :actor_id, :actor_label, :action, "
            "'Customer', u.id, CASE WHEN u.id = g.survivor_id THEN jsonb_build_object("
            "'merge_id', g.id, 'merged_ids', to_jsonb(g.merged_ids), 'status', g.status, "
            "'survivor', g.record -> 'survivor', 'merged', g.record -> 'merged', 'moved', "
            "(SELECT coalesce(jsonb_object_agg(key, jsonb_array_length(value)), '{}') "
            "FROM jsonb_each(g.record) WHERE jsonb_typeof(value) = 'array' "
            "AND key <> 'merged')) ELSE jsonb_build_object('merge_id', g.id, 'merged_into_id', "
            "g.survivor_id, 'status', g.status) END, :request_id FROM customer_merge g, "
            "unnest(array_prepend(g.survivor_id, g.merged_ids)) AS u (id) "
            "WHERE g.id = CAST(:merge_id AS uuid)"
        ),
        {**params, "action": action},
    )
    del merged_ids
