"""The DUPLICATE_SCAN job: candidate pairs found by blocking, scored, and stored in chunks.

A full scan builds every pair of the tenant at once with sorted passes in PostgreSQL
(`set_blocking`), then scores them in chunks of customers; a scan of the customers changed
since the last one looks each of them up by its blocking keys (`batch_matches`, as a
create does), which costs per customer and suits a few thousand. Each chunk is one
transaction that stores its pairs and its checkpoint (the last customer id done) together,
so a run killed at any point resumes where it stopped (a full scan builds its pairs again
first), and storing a pair again only refreshes it. At the end, open pairs the scan did not
see again are dropped (their records changed and no longer match) and clusters are
recomputed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services.dedupe import candidates, repository, set_blocking
from clientbase.services.dedupe.candidates import Pair
from clientbase.services.dedupe.record import MatchRecord
from clientbase.services.dedupe.scoring import compare
from clientbase.services.dedupe.service import batch_matches
from clientbase.services.dedupe.settings import DuplicateSettings, duplicate_settings
from clientbase.services.jobs.runner import JobRun
from clientbase.services.processes import process_pool

CHUNK = 500  # customers per chunk when each is looked up on its own
SET_CHUNK = 5000  # customers per chunk of a full scan's pairs
# Fewer pairs than this are scored in the worker's thread; more in a pool of processes.
SCORE_IN_POOL_FROM = 200_000
IN_FLIGHT = 2  # chunks scored while the next is read
CANCEL_CHECK_EVERY = 10  # chunks


@dataclass
class ScanOutcome:
    scanned: int = 0
    pairs: int = 0
    cancelled: bool = False


def _customers(since: datetime | None) -> Any:
    stmt = select(Customer.id).where(Customer.status != CustomerStatus.MERGED.value)
    return stmt.where(Customer.updated_at >= since) if since is not None else stmt


async def pairs_of(
    session: AsyncSession, probes: dict[uuid.UUID, MatchRecord], settings: DuplicateSettings
) -> list[Pair]:
    """The pairs in the review band or above between `probes` and the customers their
    blocking keys find, each pair once."""
    order = list(probes.values())
    pairs: dict[tuple[uuid.UUID, uuid.UUID], Pair] = {}
    for probe, found in zip(order, await batch_matches(session, order, settings), strict=True):
        assert probe.id is not None
        for scored in found:
            other_id = scored.other.id
            assert other_id is not None
            key = (min(probe.id, other_id), max(probe.id, other_id))
            if key not in pairs:
                pairs[key] = candidates.ordered((probe.id, probe.version),
                                                (other_id, scored.other.version),
                                                scored.match, scored.band)  # fmt: skip
    return list(pairs.values())


def scored_pairs(
    pairs: list[tuple[uuid.UUID, uuid.UUID]],
    rows: list[dict[str, Any]],
    sharing: dict[uuid.UUID, int],
    review: float,
    likely: float,
) -> list[Pair]:
    """The pairs of a full scan's chunk in the review band or above, from the record rows of
    their customers. Pure: a process of the scan's pool may run it."""
    records = {row["id"]: repository.record_from_row(row) for row in rows}
    found = []
    for a, b in pairs:
        first, second = records.get(a), records.get(b)
        if first is None or second is None:
            continue  # merged or deleted since the pairs were built
        match = compare(first, second, sharing.get(a, 1))
        band = match.band(review, likely)
        if band is not None:
            found.append(candidates.ordered((a, first.version), (b, second.version), match, band))
    return found


async def run_scan(run: JobRun, processes: int = 0) -> ScanOutcome:
    """Run (or resume) the scan job `run`; a full scan of SCORE_IN_POOL_FROM customers or
    more scores its pairs in `processes` (0: in the worker's thread)."""
    since_text = run.params.get("since") if run.params.get("onlyChanged") else None
    since = datetime.fromisoformat(since_text) if since_text else None
    after_text = (run.checkpoint or {}).get("after")
    after = uuid.UUID(after_text) if after_text else None
    async with run.session() as session:
        settings = await duplicate_settings(session, run.tenant_id)
        if after is None:
            total = await session.scalar(
                select(func.count()).select_from(_customers(since).subquery())
            )
            await run.save_progress(session, total=int(total or 0))
            await session.commit()
    if since is None:
        outcome = await _scan_all(run, settings, after, processes)
    else:
        outcome = await _scan_changed(run, settings, since, after)
    if outcome.cancelled:
        return outcome
    async with run.session() as session:
        await candidates.drop_unseen(session, run.job_id, since)
        await candidates.assign_clusters(session)
        await session.commit()
    return outcome


async def _store_chunk(run: JobRun, ids: list[uuid.UUID], pairs: list[Pair]) -> None:
    async with run.session() as session:
        new = await candidates.store(session, run.tenant_id, run.job_id, pairs)
        await run.save_progress(session, checkpoint={"after": str(ids[-1])}, processed=len(ids),
                                created=new, updated=len(pairs) - new)  # fmt: skip
        await session.commit()


async def _scan_all(
    run: JobRun, settings: DuplicateSettings, after: uuid.UUID | None, processes: int
) -> ScanOutcome:
    """The full scan: pairs built once in a read transaction, scored chunk by chunk (in a
    pool, a chunk is scored while the next is read), stored in order."""
    outcome = ScanOutcome()
    loop = asyncio.get_running_loop()
    pending: deque[tuple[list[uuid.UUID], asyncio.Future[list[Pair]]]] = deque()

    async def store_oldest() -> None:
        ids, scoring = pending.popleft()
        found = await scoring
        await _store_chunk(run, ids, found)
        outcome.scanned += len(ids)
        outcome.pairs += len(found)

    async with run.session() as reader:
        total = await set_blocking.build_pairs(reader)
        with process_pool(total, processes, SCORE_IN_POOL_FROM) as pool:
            chunks = 0
            while ids := await set_blocking.customers_after(reader, after, SET_CHUNK):
                if chunks and chunks % CANCEL_CHECK_EVERY == 0 and await run.cancelled():
                    outcome.cancelled = True
                    return outcome
                found = await set_blocking.chunk(reader, ids)
                work = (found.pairs, found.rows, found.sharing, settings.review, settings.likely)
                if pool is None:
                    scoring: asyncio.Future[list[Pair]] = loop.create_future()
                    scoring.set_result(scored_pairs(*work))
                else:
                    scoring = asyncio.wrap_future(pool.submit(scored_pairs, *work))
                pending.append((ids, scoring))
                if len(pending) > IN_FLIGHT:
                    await store_oldest()
                after = ids[-1]
                chunks += 1
            while pending:
                await store_oldest()
    return outcome


async def _scan_changed(
    run: JobRun, settings: DuplicateSettings, since: datetime, after: uuid.UUID | None
) -> ScanOutcome:
    """The customers changed since `since`, each looked up by its own blocking keys."""
    outcome = ScanOutcome()
    chunks = 0
    while True:
        if chunks and chunks % CANCEL_CHECK_EVERY == 0 and await run.cancelled():
            outcome.cancelled = True
            return outcome
        async with run.session() as session:
            stmt = _customers(since).order_by(Customer.id).limit(CHUNK)
            ids = list(
                (await session.scalars(stmt.where(Customer.id > after) if after else stmt)).all()
            )
            if not ids:
                break
            probes = await repository.records(session, ids)
            pairs = await pairs_of(session, probes, settings)
        await _store_chunk(run, ids, pairs)
        after = ids[-1]
        outcome.scanned += len(ids)
        outcome.pairs += len(pairs)
        chunks += 1
    return outcome
