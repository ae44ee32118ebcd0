"""The short way for queries compiled before: the same answer as the first time, bytes and
headers alike, for exactly the same request only, under each caller's own tenant, key and
budget; anything else goes through Strawberry."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from clientbase.app import create_app
from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.schema.compiled.operations import OperationCache
from clientbase.services.auth.principal import Role
from tests.helpers import (
    CountingApp,
    TenantWithKey,
    committed_tenant,
    compiled_operations,
    counting_normal_path,
    inserted_customer,
)
from tests.stack import TestStack

BY_ID = "query One($id: ID!) { node(id: $id) { ... on Customer { id code legalName } } }"
COUNT = "{ customers { totalCount } }"


@dataclass
class Api:
    app: Starlette
    client: httpx.AsyncClient
    operations: OperationCache
    normal: CountingApp

    async def post(self, caller: TenantWithKey, query: str, variables: dict[str, Any] | None = None,
                   **headers: str) -> httpx.Response:  # fmt: skip
        body = {"query": query, "variables": variables or {}}
        return await self.client.post("/graphql", json=body,
                                      headers={**caller.headers, **headers})  # fmt: skip


def instrumented(app: Starlette) -> tuple[OperationCache, CountingApp]:
    """The app's compiled operations, and a counter of the requests Strawberry answers."""
    return compiled_operations(app), counting_normal_path(app)


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    app = create_app(get_settings().model_copy(update={"requests_per_minute": 0}))
    operations, normal = instrumented(app)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://clientbase.test") as c:
            yield Api(app, c, operations, normal)


@pytest.fixture
async def callers(database: Database) -> tuple[TenantWithKey, TenantWithKey]:
    return await committed_tenant(database, Role.READER), await committed_tenant(
        database, Role.READER
    )


async def test_the_second_identical_request_skips_strawberry_and_answers_the_same(
    api: Api, database: Database, callers: tuple[TenantWithKey, TenantWithKey]
) -> None:
    reader, _ = callers
    customer = await inserted_customer(database, reader, legal_name="Padaria São João")
    first = await api.post(reader, BY_ID, {"id": customer})
    second = await api.post(reader, BY_ID, {"id": customer})
    assert api.normal.calls == 1 and len(api.operations) == 1
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"] == "application/json"
    body = second.json()
    assert body["data"]["node"]["legalName"] == "Padaria São João"
    assert body["extensions"]["cost"]["requested"] >= 1
    wanted = {"accept": "application/graphql-response+json"}
    spec = await api.post(reader, BY_ID, {"id": customer}, **wanted)
    assert api.normal.calls == 1 and spec.content == first.content
    assert spec.headers["content-type"] == "application/graphql-response+json; charset=utf-8"


async def test_other_variables_another_tenant_or_a_revoked_key_never_get_an_earlier_answer(
    api: Api, database: Database, callers: tuple[TenantWithKey, TenantWithKey],
    owner_engine: AsyncEngine,
) -> None:  # fmt: skip
    reader, stranger = callers
    mine = [await inserted_customer(database, reader, legal_name=n) for n in ("Alfa", "Beta")]
    await inserted_customer(database, stranger, legal_name="Gama")
    names = []
    for customer in [*mine, mine[0]]:
        answer = (await api.post(reader, BY_ID, {"id": customer})).json()
        names.append(answer["data"]["node"]["legalName"])
    assert names == ["Alfa", "Beta", "Alfa"] and api.normal.calls == 2
    # The stranger asks the very same request: its own tenant's rows, through the short way.
    assert (await api.post(reader, COUNT)).json()["data"]["customers"]["totalCount"] == 2
    theirs = await api.post(stranger, COUNT)
    assert theirs.json()["data"]["customers"]["totalCount"] == 1 and api.normal.calls == 3
    assert (await api.post(stranger, BY_ID, {"id": mine[0]})).json()["data"]["node"] is None
    async with owner_engine.begin() as connection:
        await connection.execute(text("UPDATE api_key SET revoked_at = now() WHERE id = :id"),
                                 {"id": reader.key_id})  # fmt: skip
    refused = await api.post(reader, COUNT)
    assert refused.status_code == 401


async def test_requests_that_are_not_one_plain_query_go_through_strawberry(
    api: Api, database: Database, callers: tuple[TenantWithKey, TenantWithKey]
) -> None:
    reader, _ = callers
    await api.post(reader, COUNT)
    assert len(api.operations) == 1
    await api.post(reader, COUNT, **{"idempotency-key": uuid.uuid4().hex})
    await api.client.post("/graphql", json={"query": COUNT, "extensions": {"persistedQuery": {}}},
                          headers=reader.headers)  # fmt: skip
    await api.post(reader, "{ viewer { role } }")
    await api.post(reader, "{ viewer { role } }")
    assert api.normal.calls == 5 and len(api.operations) == 1


async def test_a_spent_budget_is_refused_the_same_way_on_both_paths(
    database: Database, callers: tuple[TenantWithKey, TenantWithKey]
) -> None:
    reader, _ = callers
    settings = get_settings().model_copy(update={"requests_per_minute": 0,
                                                 "query_cost_per_minute": 3})  # fmt: skip
    app = create_app(settings)
    _, normal = instrumented(app)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answers = [(await client.post("/graphql", json={"query": COUNT},
                                          headers=reader.headers)).json() for _ in range(4)]  # fmt: skip
    remaining = [a["extensions"]["cost"].get("remaining") for a in answers[:3]]
    assert remaining == [2, 1, 0]
    assert [a["data"]["customers"]["totalCount"] for a in answers[:3]] == [0, 0, 0]
    assert answers[3]["errors"][0]["extensions"]["limit"] == "query_cost_per_minute"
    assert normal.calls == 2  # the first, and the refused one: the short way said nothing


async def test_requests_survive_connections_their_server_dropped(
    api: Api, callers: tuple[TenantWithKey, TenantWithKey], owner_engine: AsyncEngine,
    stack: TestStack,
) -> None:  # fmt: skip
    """The API's pool does not ping at checkout: sign-in retries once on a fresh connection."""
    reader, _ = callers
    for _ in range(3):  # connections into the pool
        assert (await api.post(reader, COUNT)).status_code == 200
    async with owner_engine.connect() as connection:
        dropped = await connection.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE usename = :role AND pid <> pg_backend_pid()"), {"role": _role(stack)})  # fmt: skip
    assert dropped >= 1
    answers = [await api.post(reader, COUNT) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    ready = await api.client.get("/readyz")
    assert ready.json()["checks"]["postgres"] == "ok"


def _role(stack: TestStack) -> str:
    from sqlalchemy.engine import make_url

    return str(make_url(stack.app_url).username)
