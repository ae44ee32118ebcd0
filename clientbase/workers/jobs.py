"""The job actor, and the queue the API uses to send jobs after its commit.

The message carries the tenant and job ids (and the id of the request that sent it, for
the logs) only; the runner reads everything else from PostgreSQL, so a repeated message is
harmless.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import dramatiq
import structlog

from clientbase.core.config import get_settings
from clientbase.services.jobs.outbox import ActiveJobs
from clientbase.services.jobs.runner import run_job
from clientbase.services.jobs.stopping import JobInterrupted
from clientbase.workers.broker import broker
from clientbase.workers.resources import databases, job_events

JOBS_QUEUE = "jobs"


@dramatiq.actor(
    broker=broker,
    queue_name=JOBS_QUEUE,
    # Only infrastructure errors reach Dramatiq (the runner ends data errors as FAILED);
    # when the retries are spent, DeadLetters (dead_letter.py) ends the job FAILED with why.
    max_retries=4,
    min_backoff=2_000,
    max_backoff=60_000,
    time_limit=get_settings().job_time_limit_seconds * 1000,
)
async def run_job_actor(tenant_id: str, job_id: str, request_id: str | None = None) -> None:
    # The request that sent the message names every log line of the run.
    bound = {"request_id": request_id} if request_id else {}
    with structlog.contextvars.bound_contextvars(**bound):
        try:
            await run_job(uuid.UUID(job_id), databases(), job_events().publish,
                          tenant_id=uuid.UUID(tenant_id))  # fmt: skip
        except JobInterrupted:
            # This worker is stopping and the job is at a checkpoint, released: a new
            # message (not a retry, which would spend one) lets another worker resume it.
            await send_job(uuid.UUID(tenant_id), uuid.UUID(job_id))


async def send_job(tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    extra = {"request_id": request_id} if request_id else {}
    # Dramatiq's Redis client is synchronous: keep it off the event loop.
    await asyncio.to_thread(run_job_actor.send, str(tenant_id), str(job_id), **extra)


class DramatiqJobQueue:
    """The JobQueue of the API and the CLI: the registry of active jobs, then Dramatiq."""

    def __init__(self, redis: Any) -> None:
        self.registry = ActiveJobs(redis)

    async def track(self, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
        await self.registry.add(tenant_id, job_id)

    async def send(self, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
        await send_job(tenant_id, job_id)
