"""Duplicate candidates: start a scan, store the pairs it finds, group them into clusters,
list them, and dismiss them. Callers own the transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer
from clientbase.models.duplicate_candidate import CandidateStatus, DuplicateCandidate
from clientbase.models.job import Job, JobKind, JobStatus
from clientbase.services import records
from clientbase.services.auth.principal import Principal
from clientbase.services.dedupe.scoring import Match
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.jobs import service as jobs
from clientbase.services.query.pagination import SortKey

ENTITY = "DuplicateCandidate"
SORT = [SortKey(DuplicateCandidate.score, "score", descending=True),
        SortKey(DuplicateCandidate.id, "id", descending=True)]  # fmt: skip


@dataclass(frozen=True)
class Pair:
    """A scored pair, ordered: a_id < b_id."""

    a_id: uuid.UUID
    b_id: uuid.UUID
    version_a: int
    version_b: int
    match: Match
    band: str


def ordered(a: tuple[uuid.UUID, int], b: tuple[uuid.UUID, int], match: Match, band: str) -> Pair:
    """The pair of (id, version) `a` and `b`, smaller id first."""
    (first, v_first), (second, v_second) = sorted((a, b))
    return Pair(first, second, v_first, v_second, match, band)


async def start_scan(session: AsyncSession, actor: Principal, only_changed: bool = False) -> Job:
    """A QUEUED DUPLICATE_SCAN job; with `only_changed`, of the customers changed since the
    last scan that succeeded began (all of them if there was none)."""
    since = None
    if only_changed:
        last = await session.scalar(
            select(Job.started_at)
            .where(Job.kind == JobKind.DUPLICATE_SCAN.value,
                   Job.status == JobStatus.SUCCEEDED.value)
            .order_by(Job.started_at.desc().nulls_last())
            .limit(1)
        )  # fmt: skip
        since = last.isoformat() if last is not None else None
    params = {"onlyChanged": only_changed, "since": since}
    return await jobs.create_job(session, actor, JobKind.DUPLICATE_SCAN.value, params)


_UPSERT = text(
    "INSERT INTO duplicate_candidate AS c (tenant_id, customer_a_id, customer_b_id, version_a, "
    "version_b, score, band, reasons, job_id) "
    "SELECT :tenant_id, r.a, r.b, r.version_a, r.version_b, r.score, r.band, r.reasons, :job_id "
    "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r (a uuid, b uuid, version_a int, "
    "version_b int, score float8, band text, reasons jsonb) "
    "ON CONFLICT (tenant_id, customer_a_id, customer_b_id) DO UPDATE SET "
    # A dismissed pair stays dismissed while neither record has changed since.
    "status = CASE WHEN c.status = 'DISMISSED' AND (c.version_a <> excluded.version_a "
    "OR c.version_b <> excluded.version_b) THEN 'OPEN' ELSE c.status END, "
    "resolved_at = CASE WHEN c.status = 'DISMISSED' AND (c.version_a <> excluded.version_a "
    "OR c.version_b <> excluded.version_b) THEN NULL ELSE c.resolved_at END, "
    "version_a = excluded.version_a, version_b = excluded.version_b, score = excluded.score, "
    "band = excluded.band, reasons = excluded.reasons, job_id = excluded.job_id, "
    "updated_at = now(), version = c.version + 1 "
    "RETURNING (xmax = 0) AS inserted"
)


def reasons_json(match: Match) -> list[dict[str, Any]]:
    return [{"field": r.field, "method": r.method, "score": r.score, "weight": r.weight}
            for r in match.reasons]  # fmt: skip


async def store(
    session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID, pairs: Iterable[Pair]
) -> int:
    """Insert or refresh `pairs` as seen by scan `job_id`; returns how many are new."""
    rows = [{"a": str(p.a_id), "b": str(p.b_id), "version_a": p.version_a,
             "version_b": p.version_b, "score": p.match.score, "band": p.band,
             "reasons": reasons_json(p.match)} for p in pairs]  # fmt: skip
    if not rows:
        return 0
    result = await session.execute(
        _UPSERT, {"tenant_id": tenant_id, "job_id": job_id, "rows": json.dumps(rows)}
    )
    return sum(1 for (inserted,) in result if inserted)


async def drop_unseen(session: AsyncSession, job_id: uuid.UUID, since: datetime | None) -> int:
    """Open pairs the scan `job_id` did not find again: their records no longer match. A scan
    of changed customers only drops the pairs of those customers."""
    stmt = (
        "DELETE FROM duplicate_candidate c WHERE c.status = 'OPEN' "
        "AND c.job_id IS DISTINCT FROM :job_id"
    )
    parameters: dict[str, Any] = {"job_id": job_id}
    if since is not None:
        stmt += (" AND EXISTS (SELECT FROM customer k WHERE k.id IN (c.customer_a_id, "
                 "c.customer_b_id) AND k.updated_at >= :since)")  # fmt: skip
        parameters["since"] = since
    result: Any = await session.execute(text(stmt), parameters)
    return int(result.rowcount or 0)


def clusters(pairs: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> dict[uuid.UUID, uuid.UUID]:
    """Union-find: every customer of `pairs` to its cluster's smallest id."""
    parent: dict[uuid.UUID, uuid.UUID] = {}

    def root(node: uuid.UUID) -> uuid.UUID:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving
            node = parent[node]
        return node

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {node: root(node) for node in list(parent)}


async def assign_clusters(session: AsyncSession) -> int:
    """Set every open pair's cluster_id; returns the number of clusters."""
    pairs = (
        await session.execute(
            select(DuplicateCandidate.id, DuplicateCandidate.customer_a_id,
                   DuplicateCandidate.customer_b_id)
            .where(DuplicateCandidate.status == CandidateStatus.OPEN.value)
        )
    ).all()  # fmt: skip
    roots = clusters((a, b) for _, a, b in pairs)
    await session.execute(
        text(
            "UPDATE duplicate_candidate c SET cluster_id = u.cluster_id FROM unnest("
            "CAST(:ids AS uuid[]), CAST(:clusters AS uuid[])) AS u (id, cluster_id) "
            "WHERE c.id = u.id AND c.cluster_id IS DISTINCT FROM u.cluster_id"
        ),
        {"ids": [p.id for p in pairs], "clusters": [roots[p.customer_a_id] for p in pairs]},
    )
    return len(set(roots.values()))


def list_query(
    status: str | None = CandidateStatus.OPEN.value,
    band: str | None = None,
    customer_id: uuid.UUID | None = None,
    cluster_id: uuid.UUID | None = None,
    min_score: float | None = None,
) -> Select[Any]:
    stmt = select(DuplicateCandidate)
    if status is not None:
        stmt = stmt.where(DuplicateCandidate.status == status)
    if band is not None:
        stmt = stmt.where(DuplicateCandidate.band == band)
    if customer_id is not None:
        stmt = stmt.where(or_(DuplicateCandidate.customer_a_id == customer_id,
                              DuplicateCandidate.customer_b_id == customer_id))  # fmt: skip
    if cluster_id is not None:
        stmt = stmt.where(DuplicateCandidate.cluster_id == cluster_id)
    if min_score is not None:
        stmt = stmt.where(DuplicateCandidate.score >= min_score)
    return stmt


def sort_keys() -> list[SortKey]:
    return list(SORT)


async def dismiss(
    session: AsyncSession, actor: Principal, candidate_id: uuid.UUID
) -> DuplicateCandidate:
    """Not the same customer: the pair is not proposed again until either record changes."""
    candidate = await records.load_for_update(session, DuplicateCandidate, candidate_id, ENTITY,
                                              None)  # fmt: skip
    if candidate.status == CandidateStatus.MERGED.value:
        raise problem("id", ErrorCode.INVALID_STATE, "The pair was merged already.")
    if candidate.status == CandidateStatus.DISMISSED.value:
        return candidate
    await records.update(session, actor, candidate, {
        "status": CandidateStatus.DISMISSED.value, "resolved_at": datetime.now(UTC),
        "resolved_by": f"{actor.actor_kind}:{actor.actor_id}"}, ENTITY, "dismiss")  # fmt: skip
    return candidate


async def open_matches(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID]
) -> list[list[tuple[Customer, DuplicateCandidate]]]:
    """For each of `customer_ids`, its open pairs with the other customer of each, best
    first; two statements for any number of customers."""
    if not customer_ids:
        return []
    stmt = (
        select(DuplicateCandidate)
        .where(DuplicateCandidate.status == CandidateStatus.OPEN.value,
               or_(DuplicateCandidate.customer_a_id.in_(customer_ids),
                   DuplicateCandidate.customer_b_id.in_(customer_ids)))
        .order_by(DuplicateCandidate.score.desc(), DuplicateCandidate.id)
    )  # fmt: skip
    pairs = list((await session.scalars(stmt)).all())
    wanted = {p.customer_a_id for p in pairs} | {p.customer_b_id for p in pairs}
    rows = await session.scalars(select(Customer).where(Customer.id.in_(wanted)))
    by_id = {row.id: row for row in rows}
    found: dict[uuid.UUID, list[tuple[Customer, DuplicateCandidate]]] = {}
    for pair in pairs:
        for own, other in ((pair.customer_a_id, pair.customer_b_id),
                           (pair.customer_b_id, pair.customer_a_id)):  # fmt: skip
            if other in by_id:
                found.setdefault(own, []).append((by_id[other], pair))
    return [found.get(customer_id, []) for customer_id in customer_ids]
