"""The request id of the mutation that starts a job names the worker's log lines of its run:
a real `clientbase worker` process with JSON logs, and a job started over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid

import httpx
import pytest

from clientbase.core.db import Database
from clientbase.models.job import JobStatus
from clientbase.schema.ids import from_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import committed_tenant
from tests.services.jobs.factories import read_job

pytestmark = pytest.mark.slow

START = "mutation { duplicateScanStart { job { id } userErrors { message } } }"


async def test_the_worker_logs_the_run_with_the_request_id(
    client: httpx.AsyncClient, database: Database
) -> None:
    from clientbase.workers.actors import broker

    broker.flush_all()
    caller = await committed_tenant(database, Role.EDITOR)
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    response = await client.post(
        "/graphql", json={"query": START}, headers={**caller.headers, "X-Request-ID": request_id}
    )
    assert response.headers["x-request-id"] == request_id
    payload = response.json()["data"]["duplicateScanStart"]
    assert payload["userErrors"] == []
    job_id = from_global_id(payload["job"]["id"])[1]
    # The job row keeps the id too, for a run re-sent without the original message.
    assert (await read_job(database, caller.tenant_id, job_id)).params["requestId"] == request_id

    env = {**os.environ, "CLIENTBASE_LOG_JSON": "1", "CLIENTBASE_LOG_LEVEL": "INFO"}
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "clientbase", "worker", "--processes", "1", "--threads", "1",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(600):  # at most a minute, so a broken run cannot hang the suite
            job = await read_job(database, caller.tenant_id, job_id)
            if job.status == JobStatus.SUCCEEDED:
                break
            await asyncio.sleep(0.1)
        assert job.status == JobStatus.SUCCEEDED, job.status
    finally:
        worker.terminate()
        _, output = await asyncio.wait_for(worker.communicate(), timeout=30)
    stderr = output.decode()
    lines = []
    for text in stderr.splitlines():
        start = text.find("{")  # Dramatiq's parent may prefix nothing, or a process tag
        try:
            lines.append(json.loads(text[start:]))
        except ValueError:
            continue
    ended = [line for line in lines if line.get("event") == "job ended"]
    assert ended, stderr[-3000:]
    assert ended[0]["job_id"] == str(job_id)
    assert ended[0]["request_id"] == request_id
    assert ended[0]["level"] == "info" and "timestamp" in ended[0]
    started = [line for line in lines if line.get("event") == "job started"]
    assert started and started[0]["request_id"] == request_id
