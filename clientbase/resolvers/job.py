"""Job fields: the `jobs` list, `jobCancel`, the `jobUpdates` subscription, and the outbox
helper with which a mutation sends the job it created once its transaction commits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.common import Connection, page_request
from clientbase.schema.filters import filter_tree
from clientbase.schema.job import Job, JobFilter, JobPayload
from clientbase.schema.lists import Info, root_connection
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.jobs import service as jobs

# A subscriber re-reads its job at least this often, in case a progress message was lost.
POLL_SECONDS = 5.0


async def enqueue_after_commit(info: Info, job: models.Job) -> None:
    """Send `job` to the workers once the running mutation commits; never if it rolls back.

    Call it inside the mutation's work. The job is tracked for the reconciler now, before
    the commit, so that a crash right after the commit cannot lose it.
    """
    ctx = info.context
    queue = ctx.job_queue
    if queue is None:
        raise RuntimeError("no job queue in the context")
    tenant_id, job_id = job.tenant_id, job.id
    await queue.track(tenant_id, job_id)

    async def send() -> None:
        await queue.send(tenant_id, job_id)

    ctx.after_commit.append(send)


def _publish_after_commit(info: Info, job: models.Job) -> None:
    events = info.context.job_events
    if events is None:
        return
    job_id, snapshot = job.id, jobs.progress_snapshot(job)

    async def publish() -> None:
        await events.publish(job_id, snapshot)

    info.context.after_commit.append(publish)


async def _read(info: Info, job_id: uuid.UUID) -> Job | None:
    """The job as of now, in a short transaction: a subscription must not hold one open."""
    ctx = info.context
    async with ctx.session_lock:
        try:
            row = await jobs.get(ctx.session, job_id)
            if row is None:
                return None
            # Detached, the row keeps its values; the rollback would expire them.
            ctx.session.expunge(row)
            return Job.from_row(row)
        finally:
            await ctx.session.rollback()


@strawberry.type
class JobQueries:
    @strawberry.field(description="The tenant's jobs, newest first.")
    async def jobs(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: JobFilter | None = None,
    ) -> Connection[Job]:  # fmt: skip
        return await root_connection(
            info,
            jobs.list_query(filter_tree(filter)),
            jobs.sort_keys(),
            page_request(first, after),
            Job.from_row,
        )


@strawberry.type
class JobMutations:
    @strawberry.mutation(description="Cancel a job: a queued one at once, a running one soon.")
    async def job_cancel(self, info: Info, id: strawberry.ID) -> JobPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.Job:
            job_id = decode_id(id, "Job")
            if not actor.role.allows(Role.EDITOR):
                # A reader may start an export, so it may stop the jobs it started.
                found = await jobs.get(session, job_id)
                if found is None or found.created_by != jobs.creator(actor):
                    raise problem("id", ErrorCode.FORBIDDEN,
                                  "A reader may cancel only the jobs it started.")  # fmt: skip
            job = await jobs.request_cancel(session, actor, job_id)
            _publish_after_commit(info, job)
            return job

        outcome = await run_mutation(info, Role.READER, work)
        job = Job.from_row(outcome.value) if outcome.value is not None else None
        return JobPayload(job=job, user_errors=outcome.errors)


@strawberry.type
class JobSubscriptions:
    @strawberry.subscription(description="The job now, then after each change until it ends.")
    async def job_updates(self, info: Info, id: strawberry.ID) -> AsyncGenerator[Job, None]:
        job_id = decode_id(id, "Job")
        events = info.context.job_events
        if events is None:
            raise RuntimeError("no job events in the context")
        # Listen before the first read, so that no change between the two goes unseen.
        async with events.listen(job_id) as listener:
            last_version = None
            while True:
                job = await _read(info, job_id)
                if job is None:
                    raise problem("id", ErrorCode.NOT_FOUND, "No Job with this id.")
                if job.row.version != last_version:
                    last_version = job.row.version
                    yield job
                if job.row.status in jobs.FINAL:
                    return
                await listener.wait(POLL_SECONDS)
