"""Seed a tenant with demo data: batches generated in a thread and loaded by a few writers.

Customer numbers continue after the tenant's highest seed-style code (C0000001, ...), and
every other unique value (contract numbers, serial numbers, contact e-mails, external refs,
tax ids) is derived from the customer number, so running the seed again on the same tenant
adds new rows instead of colliding with the previous run's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from clientbase.core.db import Database
from clientbase.services.auth import service as auth
from clientbase.services.seed import loader
from clientbase.services.seed.generator import SeedGenerator
from clientbase.services.seed.rows import Batch, customer_code

DEFAULT_BATCH_SIZE = 10_000
# PostgreSQL does most of the work (indexes, foreign keys): two backends use two cores.
DEFAULT_WRITERS = 1  # two writers deadlocked on index inserts under the search indexes


@dataclass
class SeedResult:
    tenant_id: uuid.UUID
    first_code: str
    last_code: str
    customers: int = 0
    contacts: int = 0
    sites: int = 0
    contracts: int = 0
    items: int = 0
    seconds: float = 0.0

    def add(self, batch: Batch) -> None:
        self.customers += len(batch.customers)
        self.contacts += len(batch.contacts)
        self.sites += len(batch.sites)
        self.contracts += len(batch.contracts)
        self.items += len(batch.items)


async def ensure_tenant(database: Database, slug: str) -> tuple[uuid.UUID, bool]:
    """The tenant's id, and whether it had to be created (auth.AuthError on a bad slug)."""
    async with database.session() as session:
        tenant = await auth.find_tenant(session, slug)
        if tenant is not None:
            return tenant.id, False
        tenant = await auth.create_tenant(session, slug, f"Demo tenant {slug}")
        await session.commit()
        return tenant.id, True


async def seed_customers(
    database: Database,
    tenant_id: uuid.UUID,
    count: int,
    *,
    seed: int = 42,
    batch_size: int = DEFAULT_BATCH_SIZE,
    writers: int = DEFAULT_WRITERS,
    on_progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> SeedResult:
    """Add `count` customers with their children to the tenant, committing every batch.

    One thread generates batches in order while `writers` connections load them, each
    batch in its own transaction (the database needs a pool of at least `writers`). A
    failure leaves the batches committed before it; running again continues after the
    highest code, so a failed run may leave a gap in the codes. Two runs on one tenant
    at the same time would pick the same numbers, and one would fail on the customer
    code's unique constraint.
    """
    started = time.perf_counter()
    async with database.session(tenant_id) as session:
        reference = await loader.ensure_reference(session, tenant_id)
        first = await loader.last_seed_number(session) + 1
        await session.commit()
    result = SeedResult(tenant_id, customer_code(first), customer_code(first + count - 1))
    generator = SeedGenerator(reference, seed, first, today=today)
    # Bounded, so memory holds at most a few batches whatever the count.
    queue: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=writers)

    async def generate() -> None:
        for done in range(0, count, batch_size):
            # Python work in a thread, so that it overlaps the writers' waits on PostgreSQL.
            await queue.put(await asyncio.to_thread(generator.batch, min(batch_size, count - done)))
        for _ in range(writers):
            await queue.put(None)

    async def write() -> None:
        while (batch := await queue.get()) is not None:
            async with database.session(tenant_id) as session:
                await loader.copy_batch(session, tenant_id, batch)
                await session.commit()
            result.add(batch)
            if on_progress is not None:
                on_progress(len(batch.customers))

    tasks = [asyncio.create_task(generate())]
    tasks += [asyncio.create_task(write()) for _ in range(writers)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    result.seconds = time.perf_counter() - started
    return result
