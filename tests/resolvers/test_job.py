"""Jobs over GraphQL: the list and its filter, node, jobCancel, and the outbox that sends a
job only once the mutation that created it has committed."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any, cast

import httpx
import redis.asyncio as aioredis
from sqlalchemy import func

from clientbase.core.db import Database
from clientbase.models.job import Job as JobRow
from clientbase.resolvers.job import enqueue_after_commit
from clientbase.resolvers.mutation import run_mutation
from clientbase.schema.context import Context
from clientbase.schema.ids import to_global_id
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.jobs import service as jobs
from clientbase.services.jobs.outbox import ActiveJobs
from clientbase.workers.jobs import JOBS_QUEUE, DramatiqJobQueue, broker
from tests.helpers import committed_tenant, gql
from tests.services.jobs.factories import committed_job, sent_jobs, system
from tests.stack import TestStack

CANCEL = """mutation($id: ID!) { jobCancel(id: $id) {
  job { id status cancelRequested finishedAt } userErrors { field code message } } }"""
LIST = """query($filter: JobFilter) { jobs(first: 10, filter: $filter) { totalCount
  nodes { id kind status progress { total processed failed etaSeconds } createdAt error } } }"""


def gid(job: JobRow) -> str:
    return to_global_id("Job", job.id)


async def test_jobs_list_newest_first_filtered_and_node(
    client: httpx.AsyncClient, database: Database
) -> None:
    reader = await committed_tenant(database, Role.READER)
    other = await committed_tenant(database)
    first = await committed_job(database, reader.tenant_id, "EXPORT")
    second = await committed_job(database, reader.tenant_id, "MERGE", status="RUNNING", total=10,
                                 processed=4, started_at=func.now())  # fmt: skip
    await committed_job(database, other.tenant_id, "MERGE")
    everything = (await gql(client, reader, LIST))["jobs"]
    assert everything["totalCount"] == 2
    assert [n["id"] for n in everything["nodes"]] == [gid(second), gid(first)]
    assert everything["nodes"][0]["progress"]["processed"] == 4
    running = await gql(client, reader, LIST, {"filter": {"status": {"in": ["RUNNING"]},
                                                          "kind": {"eq": "MERGE"}}})  # fmt: skip
    assert [n["id"] for n in running["jobs"]["nodes"]] == [gid(second)]
    node = "query($id: ID!) { node(id: $id) { id ... on Job { kind status } } }"
    found = await gql(client, reader, node, {"id": gid(first)})
    assert found["node"] == {"id": gid(first), "kind": "EXPORT", "status": "QUEUED"}
    assert (await gql(client, other, node, {"id": gid(first)}))["node"] is None


async def test_job_cancel(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    queued = await committed_job(database, editor.tenant_id)
    running = await committed_job(database, editor.tenant_id, status="RUNNING")
    cancelled = (await gql(client, editor, CANCEL, {"id": gid(queued)}))["jobCancel"]
    assert cancelled["userErrors"] == []
    assert cancelled["job"]["status"] == "CANCELLED" and cancelled["job"]["finishedAt"]
    asked = (await gql(client, editor, CANCEL, {"id": gid(running)}))["jobCancel"]
    assert asked["job"]["status"] == "RUNNING" and asked["job"]["cancelRequested"] is True
    again = (await gql(client, editor, CANCEL, {"id": gid(queued)}))["jobCancel"]
    assert again == {
        "job": None,
        "userErrors": [
            {"field": ["id"], "code": "INVALID_STATE", "message": "The job is CANCELLED already."}
        ],
    }
    customer_id = to_global_id("Customer", queued.id)
    wrong = (await gql(client, editor, CANCEL, {"id": customer_id}))["jobCancel"]
    assert wrong["userErrors"][0]["code"] == "NOT_FOUND"


async def test_readers_and_other_tenants_cannot_cancel(
    client: httpx.AsyncClient, database: Database
) -> None:
    reader = await committed_tenant(database, Role.READER)
    job = await committed_job(database, reader.tenant_id)
    refused = (await gql(client, reader, CANCEL, {"id": gid(job)}))["jobCancel"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    stranger = await committed_tenant(database, Role.EDITOR)
    hidden = (await gql(client, stranger, CANCEL, {"id": gid(job)}))["jobCancel"]
    assert hidden["userErrors"][0]["code"] == "NOT_FOUND"


async def test_the_job_is_sent_only_after_the_commit(stack: TestStack, database: Database) -> None:
    broker.flush(JOBS_QUEUE)
    redis = aioredis.from_url(stack.redis_url)
    caller = await committed_tenant(database)
    created: list[uuid.UUID] = []
    try:
        async with database.session(caller.tenant_id) as session:
            context = Context(request=cast(Any, None), response=cast(Any, None), session=session,
                              principal=system(caller.tenant_id),
                              job_queue=DramatiqJobQueue(redis))  # fmt: skip
            info = cast(Any, SimpleNamespace(context=context))

            async def work(session: Any, actor: Principal) -> JobRow:
                job = await jobs.create_job(session, actor, "EXPORT", {})
                created.append(job.id)
                await enqueue_after_commit(info, job)
                assert sent_jobs() == []  # not before the commit, whatever happens next
                if len(created) == 1:
                    raise problem("input", ErrorCode.INVALID, "the mutation fails")
                return job

            failed = await run_mutation(info, Role.EDITOR, work)
            assert failed.errors and sent_jobs() == []
            declined = await run_mutation(info, Role.EDITOR, work, commit_if=lambda _: False)
            assert declined.value is not None and sent_jobs() == []
            committed = await run_mutation(info, Role.EDITOR, work)
            assert committed.value is not None
        assert sent_jobs() == [(caller.tenant_id, created[2])]
        # All three were tracked: the reconciler drops the two whose rows never committed.
        registry = ActiveJobs(redis)
        assert all([await registry.contains(caller.tenant_id, j) for j in created])
        await registry.remove((caller.tenant_id, j) for j in created)
    finally:
        broker.flush(JOBS_QUEUE)
        await redis.aclose()
