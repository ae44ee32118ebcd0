"""The reconciler's sweep: re-send jobs whose worker died or whose message was lost.

`restore` first puts back any unfinished job the registry lacks. The sweep looks only at
registry entries not sent nor checked for `stale_after` (see outbox.py),
reads each job in its own tenant's session, and then: drops entries of finished or
missing jobs, re-sends stale ones, and marks the rest checked. Every job is therefore
looked at, and re-sent, at most once per `stale_after`.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from clientbase.core.db import Database
from clientbase.services.jobs import repository, service
from clientbase.services.jobs.outbox import ActiveJobs, JobSender

log = structlog.get_logger(__name__)

Entry = tuple[uuid.UUID, uuid.UUID]  # (tenant_id, job_id)


@dataclass
class Sweep:
    resent: list[uuid.UUID] = field(default_factory=list)
    dropped: list[uuid.UUID] = field(default_factory=list)
    checked: int = 0


async def restore(database: Database, registry: ActiveJobs, limit: int = 10_000) -> int:
    """Put every unfinished job of every tenant back in the registry if it is missing there
    (Redis lost its data, or a job was created while Redis was down); returns how many."""
    async with database.session() as session:
        unfinished = await repository.unfinished_in_every_tenant(session, limit)
    restored = await registry.restore(unfinished)
    if restored:
        log.warning("restored jobs missing from the registry", count=restored)
    return restored


async def sweep(
    database: Database,
    registry: ActiveJobs,
    send: JobSender,
    *,
    stale_after: timedelta,
    batch: int = 500,
) -> Sweep:
    now = time.time()
    due = await registry.due(before=now - stale_after.total_seconds(), limit=batch)
    by_tenant: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for tenant_id, job_id in due:
        by_tenant[tenant_id].append(job_id)
    result = Sweep(checked=len(due))
    for tenant_id, job_ids in by_tenant.items():
        async with database.session(tenant_id) as session:
            found = await repository.get_many(session, job_ids)
            active = {job.id for job in found if not service.is_final(job)}
            stale = {job.id for job in await service.stale_jobs(session, stale_after, job_ids)}
        gone: list[Entry] = []
        checked: list[Entry] = []
        for job_id in job_ids:
            if job_id not in active:
                gone.append((tenant_id, job_id))
                continue
            if job_id in stale:
                log.info("re-sending stale job", job_id=str(job_id))
                await send(tenant_id, job_id)
                result.resent.append(job_id)
            checked.append((tenant_id, job_id))
        await registry.remove(gone)
        await registry.touch(checked, at=time.time())
        result.dropped.extend(job_id for _, job_id in gone)
    return result
