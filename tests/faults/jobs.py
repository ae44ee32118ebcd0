"""Import jobs for fault tests: a customer CSV, its job sent to a worker on a given Redis,
and what a finished import left in the tenant (counts and a checksum to compare runs)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq
import redis.asyncio as aioredis
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import text

from clientbase.core.db import Database
from clientbase.models.job import Job
from clientbase.services.jobs.outbox import ActiveJobs
from tests.services.imports.helpers import import_file
from tests.services.jobs.factories import read_job

CITIES = ("São Paulo", "Campinas", "Curitiba", "Porto Alegre", "Belo Horizonte", "Recife")
HEADER = ("code,external_ref,kind,legal_name,trade_name,email,phone,address_city,"
          "address_postal_code,address_country")  # fmt: skip

# Everything a customer row holds but what differs between two tenants' runs of one file.
CHECKSUM = """SELECT count(*) AS n, md5(string_agg((to_jsonb(c) - 'id' - 'tenant_id'
    - 'created_at' - 'updated_at')::text, E'\\n' ORDER BY c.code)) AS digest FROM customer c"""


def customers_csv(rows: int, start: int = 0) -> bytes:
    """`rows` customers, each with a phone, an e-mail and accents to normalise."""
    lines = [HEADER]
    for i in range(start, start + rows):
        phone = f"+55 11 9{i % 10_000:04d}-{(i * 7919) % 10_000:04d}"
        lines.append(f"C{i:08d},ERP-{i:08d},COMPANY,Comércio Exemplo {i} Ltda,Loja {i},"
                     f"Contato{i}@Cliente{i % 997}.com.br,{phone},{CITIES[i % 6]},"
                     f"{i % 100_000:05d}-000,BR")  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


async def table_state(database: Database, tenant_id: uuid.UUID) -> tuple[int, str]:
    """(customers, checksum) of the tenant: equal for two tenants that hold the same rows."""
    async with database.session(tenant_id) as session:
        row = (await session.execute(text(CHECKSUM))).one()
    return int(row.n), str(row.digest)


def counters(job: Job) -> tuple[Any, ...]:
    return (job.status, job.processed, job.created, job.updated, job.skipped, job.failed)


async def clean_run(database: Database, tenant_id: uuid.UUID, data: bytes) -> Job:
    """The same file imported by the runner in this process, with nothing going wrong."""
    return await import_file(database, tenant_id, data)


def job_broker(redis_url: str) -> RedisBroker:
    """A broker of this process on `redis_url`, to send jobs as the API does."""
    broker = RedisBroker(url=redis_url)  # type: ignore[no-untyped-call]
    broker.declare_queue("jobs")
    return broker


async def send(broker: RedisBroker, redis_url: str, tenant_id: uuid.UUID, job_id: uuid.UUID,
               delay_ms: int | None = None) -> None:  # fmt: skip
    """Track the job (as the API does before its commit) and send its message."""
    client = aioredis.from_url(redis_url)
    try:
        await ActiveJobs(client).add(tenant_id, job_id)
    finally:
        await client.aclose()
    message = dramatiq.Message(queue_name="jobs", actor_name="run_job_actor",
                               args=(str(tenant_id), str(job_id)), kwargs={}, options={})  # fmt: skip
    await asyncio.to_thread(broker.enqueue, message, delay=delay_ms)


async def until(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    """Wait for `check`; the bound only keeps a broken run from hanging the suite."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {seconds:.0f} s")


async def job_now(database: Database, job: Job) -> Job:
    return await read_job(database, job.tenant_id, job.id)
