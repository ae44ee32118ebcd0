"""GET /metrics: counters of requests and GraphQL operations move, job and queue figures are
read from PostgreSQL and Redis at scrape time, and the endpoint can be closed or guarded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from clientbase.core.config import Settings, get_settings
from clientbase.core.db import Database
from clientbase.schema import metrics as operation_metrics
from tests.helpers import app_client, committed_tenant, gql
from tests.services.jobs.factories import committed_job

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_operations_and_errors_are_counted(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database)
    before = await scrape(client)
    await gql(client, caller, "query MetricsProbe { viewer { role } }")
    await gql(client, caller, "query MetricsProbe { viewer { role } }")
    refused = await client.post("/graphql", json={"query": "{ viewer { role } }"})
    assert refused.status_code == 401
    broken = await client.post("/graphql", json={"query": "{ viewer {"}, headers=caller.headers)
    assert broken.json()["errors"]
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"method": "POST", "route": "/graphql", "status": "200"}
    assert moved("clientbase_http_requests_total", **ok) == 3
    assert moved("clientbase_http_requests_total", **{**ok, "status": "401"}) == 1
    assert moved("clientbase_http_request_duration_seconds_count", method="POST",
                 route="/graphql") == 4  # fmt: skip
    assert moved("clientbase_graphql_operations_total", operation="MetricsProbe", type="query",
                 outcome="ok") == 2  # fmt: skip
    assert moved("clientbase_graphql_errors_total", code="BAD_REQUEST") == 1
    # The scrape before this one was counted too, under its route template.
    assert moved("clientbase_http_requests_total", method="GET", route="/metrics",
                 status="200") == 1  # fmt: skip
    assert value(after, "clientbase_db_pool_size") == get_settings().db_pool_size
    read_pool = [value(after, "clientbase_db_read_pool_connections", state=s)
                 for s in ("in_use", "idle")]  # fmt: skip
    assert read_pool[0] == 0 and read_pool[1] >= 1  # opened at startup, none busy now
    assert value(after, "clientbase_metrics_source_up", source="postgres") == 1
    assert value(after, "clientbase_metrics_source_up", source="redis") == 1


async def test_jobs_are_counted_from_postgresql_across_tenants(
    client: httpx.AsyncClient, database: Database
) -> None:
    before = await scrape(client)
    first, second = await committed_tenant(database), await committed_tenant(database)
    await committed_job(database, first.tenant_id, "EXPORT")
    now = datetime.now(UTC)
    started = now - timedelta(seconds=40)
    await committed_job(database, second.tenant_id, "EXPORT", status="SUCCEEDED",
                        started_at=started, finished_at=started + timedelta(seconds=30))  # fmt: skip
    # Ended before the window (an hour by default): in no finished-job figure.
    await committed_job(database, second.tenant_id, "EXPORT", status="FAILED",
                        started_at=now - timedelta(hours=3), finished_at=now - timedelta(hours=2))  # fmt: skip
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("clientbase_jobs", kind="EXPORT", status="QUEUED") == 1
    assert ("clientbase_jobs", frozenset({("kind", "MERGE"), ("status", "RUNNING")})) in after
    done = {"kind": "EXPORT", "status": "SUCCEEDED"}
    assert moved("clientbase_jobs_finished", **done) == 1
    assert moved("clientbase_jobs_finished", kind="EXPORT", status="FAILED") == 0
    assert moved("clientbase_job_duration_seconds_gcount", **done) == 1
    assert moved("clientbase_job_duration_seconds_gsum", **done) == pytest.approx(30, abs=0.01)
    assert moved("clientbase_job_duration_seconds_bucket", **done, le="15.0") == 0
    assert moved("clientbase_job_duration_seconds_bucket", **done, le="60.0") == 1
    assert value(after, "clientbase_job_oldest_queued_seconds") >= 0


async def test_queue_depth_is_read_from_the_broker_keys(client: httpx.AsyncClient) -> None:
    from clientbase.workers.actors import broker
    from clientbase.workers.jobs import JOBS_QUEUE, run_job_actor

    broker.flush_all()
    try:
        for _ in range(3):  # no worker runs here: the messages wait
            run_job_actor.send(str(uuid.uuid4()), str(uuid.uuid4()))
        samples = await scrape(client)
    finally:
        broker.flush_all()
    assert value(samples, "clientbase_queue_messages", queue=JOBS_QUEUE, state="ready") == 3
    assert value(samples, "clientbase_queue_messages", queue=JOBS_QUEUE, state="dead") == 0
    assert value(samples, "clientbase_queue_messages", queue="default", state="ready") == 0


async def test_a_metrics_token_guards_the_endpoint() -> None:
    settings = Settings(metrics_token=SecretStr("scrape-secret"))
    async with app_client(settings) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        samples = await scrape(client, Authorization="Bearer scrape-secret")
    assert value(samples, "clientbase_metrics_source_up", source="postgres") == 1


async def test_metrics_can_be_turned_off() -> None:
    async with app_client(Settings(metrics=False)) as client:
        assert (await client.get("/metrics")).status_code == 404


async def test_an_unreachable_redis_is_reported_not_raised() -> None:
    # Nothing listens on port 1: Redis fails at once. The timeout leaves PostgreSQL's first
    # connection (made by this scrape) time enough on a busy machine.
    settings = Settings(redis_url="redis://127.0.0.1:1/0", metrics_timeout_seconds=5)
    async with app_client(settings) as client:
        samples = await scrape(client)
    assert value(samples, "clientbase_metrics_source_up", source="redis") == 0
    assert value(samples, "clientbase_metrics_source_up", source="postgres") == 1


def test_operation_names_are_bounded() -> None:
    assert operation_metrics.operation_label(None) == "anonymous"
    assert operation_metrics.operation_label("not a name; DROP") == "other"
    names = [f"Probe{uuid.uuid4().hex}" for _ in range(operation_metrics.MAX_OPERATION_NAMES)]
    labels = {operation_metrics.operation_label(name) for name in names}
    assert "other" in labels  # the cap was reached before all of them got a label
    assert len(labels - {"other"}) <= operation_metrics.MAX_OPERATION_NAMES
