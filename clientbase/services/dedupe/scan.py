"""The DUPLICATE_SCAN job: every customer of the tenant (or those changed since the last
scan) looked up by its blocking keys and scored against what they find, in chunks.

Each chunk is one transaction that stores its pairs and its checkpoint (the last customer
id done) together, so a run killed at any point resumes where it stopped, and storing a
pair again only refreshes it. At the end, open pairs the scan did not see again are
dropped (their records changed and no longer match) and clusters are recomputed.

Each customer costs its own blocking lookups and candidate records: about 75 customers a
second on a tenant of 1,000,000 (bench/RESULTS.md), fine for scans of changed customers,
hours for a full scan of millions. That one wants set-based blocking: a sorted pass per
key (window functions over tax id, e-mail, phone, name key, postal code and initial) that
yields a bounded number of pairs per record, scored in streamed batches.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services.dedupe import candidates, repository
from clientbase.services.dedupe.candidates import Pair
from clientbase.services.dedupe.record import MatchRecord
from clientbase.services.dedupe.service import batch_matches
from clientbase.services.dedupe.settings import DuplicateSettings, duplicate_settings
from clientbase.services.jobs.runner import JobRun

CHUNK = 500
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


async def run_scan(run: JobRun) -> ScanOutcome:
    since_text = run.params.get("since") if run.params.get("onlyChanged") else None
    since = datetime.fromisoformat(since_text) if since_text else None
    after_text = (run.checkpoint or {}).get("after")
    after = uuid.UUID(after_text) if after_text else None
    outcome = ScanOutcome()
    async with run.session() as session:
        settings = await duplicate_settings(session, run.tenant_id)
        if after is None:
            total = await session.scalar(
                select(func.count()).select_from(_customers(since).subquery())
            )
            await run.save_progress(session, total=int(total or 0))
            await session.commit()
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
            new = await candidates.store(session, run.tenant_id, run.job_id, pairs)
            after = ids[-1]
            await run.save_progress(session, checkpoint={"after": str(after)},
                                    processed=len(ids), created=new,
                                    updated=len(pairs) - new)  # fmt: skip
            await session.commit()
        outcome.scanned += len(ids)
        outcome.pairs += len(pairs)
        chunks += 1
    async with run.session() as session:
        await candidates.drop_unseen(session, run.job_id, since)
        await candidates.assign_clusters(session)
        await session.commit()
    return outcome
