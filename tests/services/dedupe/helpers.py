"""Customers for duplicate tests, written through the customer service, and scan runs."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

import clientbase.services.dedupe.handler  # registers the DUPLICATE_SCAN handler
from clientbase.core.db import Database
from clientbase.models.duplicate_candidate import DuplicateCandidate
from clientbase.models.job import Job
from clientbase.services.customer import service as customers
from clientbase.services.dedupe import candidates
from clientbase.services.jobs.runner import run_job
from tests.services.jobs.factories import read_job, system

assert clientbase.services.dedupe.handler.handle_scan


async def add(database: Database, tenant_id: uuid.UUID, **values: Any) -> uuid.UUID:
    data = {"code": f"C-{uuid.uuid4().hex[:8]}", "kind": "COMPANY", **values}
    children = {"contacts": data.pop("contacts", [])}
    async with database.session(tenant_id) as session:
        made = await customers.create(session, system(tenant_id), data, children)
        await session.commit()
    return made.id


async def change(database: Database, tenant_id: uuid.UUID, customer_id: uuid.UUID,
                 **values: Any) -> None:  # fmt: skip
    async with database.session(tenant_id) as session:
        await customers.update(session, system(tenant_id), customer_id, values)
        await session.commit()


async def _published(job_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
    return None


async def scan(database: Database, tenant_id: uuid.UUID, only_changed: bool = False) -> Job:
    async with database.session(tenant_id) as session:
        job = await candidates.start_scan(session, system(tenant_id), only_changed)
        await session.commit()
    await run_job(job.id, database, _published, tenant_id=tenant_id)
    return await read_job(database, tenant_id, job.id)


async def pairs(database: Database, tenant_id: uuid.UUID) -> dict[frozenset[uuid.UUID], Any]:
    """Every candidate row, by its pair of customer ids."""
    async with database.session(tenant_id) as session:
        rows = (await session.scalars(select(DuplicateCandidate))).all()
        for row in rows:
            session.expunge(row)
    return {frozenset((r.customer_a_id, r.customer_b_id)): r for r in rows}


async def run_started(database: Database, tenant_id: uuid.UUID, global_id: str) -> Job:
    """Run the job a mutation started (by its global id), as a worker would."""
    from clientbase.schema.ids import from_global_id

    _, job_id = from_global_id(global_id)
    await run_job(job_id, database, _published, tenant_id=tenant_id)
    return await read_job(database, tenant_id, job_id)
