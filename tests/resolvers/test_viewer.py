"""`viewer` over HTTP: who the caller is, and 401 for anyone without a valid key."""

from __future__ import annotations

import httpx
import pytest

from clientbase.core.db import Database
from clientbase.services.auth.principal import Role
from tests.conftest import StatementCounter
from tests.helpers import committed_tenant

VIEWER = {"query": "{ viewer { tenant { id name slug } role scopes actor } }"}


async def test_viewer_names_the_tenant_and_role_of_the_key(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.READER)
    response = await client.post("/graphql", json=VIEWER, headers=caller.headers)
    assert response.status_code == 200, response.text
    viewer = response.json()["data"]["viewer"]
    assert viewer["tenant"]["slug"] == caller.slug
    assert viewer["tenant"]["name"] == f"Tenant {caller.slug}"
    assert viewer["role"] == "READER"
    assert viewer["scopes"] == ["read"]
    assert "test key" in viewer["actor"]


async def test_x_api_key_header_works_too(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.ADMIN)
    response = await client.post("/graphql", json=VIEWER, headers={"X-API-Key": caller.secret})
    assert response.json()["data"]["viewer"]["scopes"] == ["read", "write", "admin"]


async def test_missing_key_is_401_with_json_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=VIEWER)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_wrong_or_malformed_key_is_401(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database)
    tampered = caller.secret[:-1] + ("A" if caller.secret[-1] != "A" else "B")
    for secret in ("nonsense", tampered, "cb_" + "0" * 36):
        response = await client.post(
            "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 401, secret


async def test_revoked_key_is_401(client: httpx.AsyncClient, database: Database) -> None:
    from clientbase.services.auth import service as auth

    caller = await committed_tenant(database)
    assert (await client.post("/graphql", json=VIEWER, headers=caller.headers)).status_code == 200
    async with database.session(caller.tenant_id) as session:
        await auth.revoke_api_key(session, caller.key_id)
        await session.commit()
    assert (await client.post("/graphql", json=VIEWER, headers=caller.headers)).status_code == 401


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len((await client.get("/healthz")).headers["x-request-id"]) == 32


async def test_graphiql_is_not_served_outside_development(client: httpx.AsyncClient) -> None:
    # The test app runs with CLIENTBASE_ENVIRONMENT=test; the launcher test covers development.
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 405
    assert "graphiql" not in response.text.lower()


async def test_queries_over_get_are_refused(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database)
    response = await client.get(
        "/graphql", params={"query": "{ viewer { role } }"}, headers=caller.headers
    )
    assert response.status_code in (400, 405)
    assert "data" not in response.text


async def test_viewer_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, database: Database, count_statements: StatementCounter
) -> None:
    caller = await committed_tenant(database)
    await client.post("/graphql", json=VIEWER, headers=caller.headers)  # warm the pool
    costs = []
    for _ in range(3):
        count_statements.reset()
        response = await client.post("/graphql", json=VIEWER, headers=caller.headers)
        assert response.status_code == 200
        costs.append(count_statements.count)
    # key lookup (set hash, select, clear), tenant binding, tenant row, rollback bookkeeping
    assert costs[0] == costs[1] == costs[2]
    assert costs[0] <= 8, count_statements.statements


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    client: httpx.AsyncClient,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from clientbase.services.auth import service as auth

    async def broken(*_: object) -> None:
        raise RuntimeError("connection string postgres://secret@db")

    caller = await committed_tenant(database)
    monkeypatch.setattr(auth, "get_tenant", broken)
    response = await client.post(
        "/graphql", json=VIEWER, headers={**caller.headers, "X-Request-Id": "req-mask-1"}
    )
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    assert "secret" not in response.text
    logged = capsys.readouterr().err
    assert "req-mask-1" in logged and "connection string" in logged
