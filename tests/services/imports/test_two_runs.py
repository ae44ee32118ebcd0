"""Two runs of one import at once (a worker taken for dead while it still ran): the run
that falls behind stops at its next chunk, and the job ends as one run would end it."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from clientbase.core.db import Database
from clientbase.models.job import Job
from clientbase.services.jobs.runner import run_job
from tests.faults.jobs import customers_csv
from tests.helpers import committed_tenant
from tests.services.imports.helpers import _published, counts, rows, start
from tests.services.jobs.factories import read_job


async def test_a_second_run_of_a_running_import_does_not_write_a_chunk_twice(
    database: Database,
) -> None:
    caller = await committed_tenant(database)
    job = await start(database, caller.tenant_id, customers_csv(15_000))
    first = asyncio.create_task(run_job(job.id, database, _published, tenant_id=caller.tenant_id))
    for _ in range(600):
        if (await read_job(database, caller.tenant_id, job.id)).processed >= 5_000:
            break
        await asyncio.sleep(0.05)
    # The first run's heartbeat looks dead: a second run claims the job and resumes it.
    async with database.session(caller.tenant_id) as session:
        await session.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=None))
        await session.commit()
    second = asyncio.create_task(run_job(job.id, database, _published, tenant_id=caller.tenant_id))
    await asyncio.gather(first, second)
    done = await read_job(database, caller.tenant_id, job.id)
    assert counts(done) == {"status": "SUCCEEDED", "processed": 15_000, "created": 15_000,
                            "updated": 0, "skipped": 0, "failed": 0}  # fmt: skip
    found = await rows(database, caller.tenant_id, "SELECT count(*) FROM customer")
    assert found[0][0] == 15_000
