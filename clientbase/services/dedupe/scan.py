"""The DUPLICATE_SCAN job: candidate pairs found by blocking, scored, and stored in chunks.

A full scan builds every pair of the tenant at once with sorted passes in PostgreSQL
(`set_blocking`), then scores them in chunks of customers in name order (`chunk_scoring`);
a scan of the customers changed since the last one looks each of them up by its blocking
keys (`batch_matches`, as a create does), which costs per customer and suits a few
thousand. Each chunk is one transaction that stores its pairs and its checkpoint (the last
customer done: its name key and id in a full scan, its id in the other) together, so a run
killed at any point resumes where it stopped (a full scan builds its pairs again first),
and storing a pair again only refreshes it. At the end, open pairs the scan did not
see again are dropped (their records changed and no longer match) and clusters are
recomputed.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import deque
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services.dedupe import candidates, chunk_scoring, repository, set_blocking
from clientbase.services.dedupe.candidates import Pair
from clientbase.services.dedupe.record import MatchRecord
from clientbase.services.dedupe.service import batch_matches
from clientbase.services.dedupe.settings import DuplicateSettings, duplicate_settings
from clientbase.services.jobs.runner import JobRun
from clientbase.services.processes import process_lanes

CHUNK = 500  # customers per chunk when each is looked up on its own
SET_CHUNK = 5000  # customers per chunk of a full scan's pairs
# Fewer pairs than this are scored in the worker's thread; more in a pool of processes,
# one lane each (chunk_scoring: a process keeps the records it was sent).
SCORE_IN_POOL_FROM = 200_000
IN_FLIGHT = 2  # chunks per lane scored while the next is read
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


async def run_scan(run: JobRun, processes: int = 0) -> ScanOutcome:
    """Run (or resume) the scan job `run`; a full scan of SCORE_IN_POOL_FROM customers or
    more scores its pairs in `processes` (0: in the worker's thread)."""
    since_text = run.params.get("since") if run.params.get("onlyChanged") else None
    since = datetime.fromisoformat(since_text) if since_text else None
    checkpoint = run.checkpoint or {}
    after = uuid.UUID(checkpoint["after"]) if checkpoint.get("after") else None
    async with run.session() as session:
        settings = await duplicate_settings(session, run.tenant_id)
        if not checkpoint:
            total = await session.scalar(
                select(func.count()).select_from(_customers(since).subquery())
            )
            await run.save_progress(session, total=int(total or 0))
            await session.commit()
    if since is None:
        # A full scan's checkpoint is a place in its order (name key and id); one without
        # the name (a scan by id order) starts over, storing its pairs again refreshes them.
        place = (checkpoint["name"], after) if after and "name" in checkpoint else None
        outcome = await _scan_all(run, settings, place, processes)
    else:
        outcome = await _scan_changed(run, settings, since, after)
    if outcome.cancelled:
        return outcome
    async with run.session() as session:
        await candidates.drop_unseen(session, run.job_id, since)
        await candidates.assign_clusters(session)
        await session.commit()
    return outcome


async def _store_chunk(
    run: JobRun, count: int, checkpoint: dict[str, str], pairs: list[Pair]
) -> None:
    async with run.session() as session:
        new = await candidates.store(session, run.tenant_id, run.job_id, pairs)
        await run.save_progress(session, checkpoint=checkpoint, processed=count, created=new,
                                updated=len(pairs) - new)  # fmt: skip
        await session.commit()


@dataclass
class _Lane:
    """Where chunks are scored (a process of the pool, or this thread with its own
    records), and the mirror of the records it holds."""

    executor: Executor | None
    held: chunk_scoring.Held = field(default_factory=chunk_scoring.Held)
    records: chunk_scoring.Records = field(default_factory=chunk_scoring.Records)

    def score(self, work: chunk_scoring.Work) -> asyncio.Future[list[Pair]]:
        if self.executor is None:
            done: asyncio.Future[list[Pair]] = asyncio.get_running_loop().create_future()
            done.set_result(chunk_scoring.score_chunk(work, self.records))
            return done
        return asyncio.wrap_future(self.executor.submit(chunk_scoring.score_chunk, work))


async def _scan_all(
    run: JobRun,
    settings: DuplicateSettings,
    after: tuple[str, uuid.UUID] | None,
    processes: int,
) -> ScanOutcome:
    """The full scan: pairs built once in a read transaction, scored chunk by chunk of
    SET_CHUNK customers in name order (in a pool, a chunk is scored while the next is read),
    stored in order."""
    outcome = ScanOutcome()
    token = uuid.uuid4().hex
    pending: deque[tuple[int, dict[str, str], asyncio.Future[list[Pair]]]] = deque()

    async def store_oldest() -> None:
        count, checkpoint, scoring = pending.popleft()
        found = await scoring
        await _store_chunk(run, count, checkpoint, found)
        outcome.scanned += count
        outcome.pairs += len(found)

    async with run.session() as reader:
        total = await set_blocking.build_pairs(reader)
        first = await set_blocking.rank_after(reader, after)
        customers = await set_blocking.customer_count(reader)
        with process_lanes(total, processes, SCORE_IN_POOL_FROM) as executors:
            # The lanes share the capacity: more processes hold fewer records each.
            capacity = chunk_scoring.CAPACITY // max(len(executors), 1)
            lanes = [_Lane(executor, chunk_scoring.Held(capacity)) for executor in executors]
            lanes = lanes or [_Lane(None)]
            chunks = 0
            while first <= customers:
                if chunks and chunks % CANCEL_CHECK_EVERY == 0 and await run.cancelled():
                    outcome.cancelled = True
                    return outcome
                last = min(first + SET_CHUNK - 1, customers)
                ranks_a, ranks_b = await set_blocking.chunk_pairs(reader, first, last)
                lane = lanes[chunks % len(lanes)]
                send, drop = lane.held.plan(first, itertools.chain(ranks_a, ranks_b))
                rows = await set_blocking.record_rows(reader, send)
                work = chunk_scoring.Work(token, drop, rows, ranks_a, ranks_b, settings.review,
                                          settings.likely)  # fmt: skip
                name, last_id = await set_blocking.customer_at(reader, last)
                checkpoint = {"name": name, "after": str(last_id)}
                pending.append((last - first + 1, checkpoint, lane.score(work)))
                if len(pending) > IN_FLIGHT * len(lanes):
                    await store_oldest()
                first = last + 1
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
        await _store_chunk(run, len(ids), {"after": str(ids[-1])}, pairs)
        after = ids[-1]
        outcome.scanned += len(ids)
        outcome.pairs += len(pairs)
        chunks += 1
    return outcome
