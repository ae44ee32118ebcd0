"""SPA users sign in with a JWT beside API keys: tenant and role from its claims, 401 with a
reason for a bad token, audit events that name the user."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.schema.ids import to_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import (
    app_client,
    committed_tenant,
    compiled_operations,
    counting_normal_path,
    gql,
    inserted_customer,
)
from tests.services.jobs.factories import committed_job
from tests.stack import TestStack

SECRET = "a-test-secret-of-at-least-32-bytes!"
ISSUER, AUDIENCE = "https://id.example", "clientbase"


def token(tenant: str, role: str = "editor", **changes: Any) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": "auth0|ana", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 300,
              "tenant": tenant, "role": role, "name": "Ana Araújo", **changes}  # fmt: skip
    return {"Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"}


JWT_SETTINGS = {"jwt_algorithm": "HS256", "jwt_secret": SecretStr(SECRET),
                "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE}  # fmt: skip


@pytest.fixture
async def jwt_client() -> AsyncIterator[httpx.AsyncClient]:
    settings = get_settings().model_copy(update=JWT_SETTINGS)
    async with app_client(settings) as client:
        yield client


async def post(client: httpx.AsyncClient, headers: dict[str, str], query: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def test_a_user_gets_the_tenant_and_role_of_the_token(
    jwt_client: httpx.AsyncClient, database: Database
) -> None:
    tenant = await committed_tenant(database, Role.READER)
    viewer = "{ viewer { role actor tenant { id } } }"
    by_slug = await post(jwt_client, token(tenant.slug, "admin"), viewer)
    assert by_slug.json()["data"]["viewer"]["role"] == "ADMIN"
    assert by_slug.json()["data"]["viewer"]["actor"] == "Ana Araújo"
    by_id = await post(jwt_client, token(str(tenant.tenant_id), "reader"), viewer)
    assert by_id.json()["data"]["viewer"]["role"] == "READER"
    assert by_id.json()["data"]["viewer"]["tenant"] == by_slug.json()["data"]["viewer"]["tenant"]
    # API keys keep working beside tokens.
    assert (await gql(jwt_client, tenant, viewer))["viewer"]["role"] == "READER"


async def test_audit_events_name_the_user(
    jwt_client: httpx.AsyncClient, database: Database
) -> None:
    tenant = await committed_tenant(database, Role.READER)
    created = await post(
        jwt_client,
        token(tenant.slug),
        """mutation {
      customerCreate(input: {code: "U-1", legalName: "Padaria União"}) {
        customer { history { nodes { action actorKind actorLabel } } } userErrors { code } } }""",
    )
    payload = created.json()["data"]["customerCreate"]
    assert payload["userErrors"] == []
    assert payload["customer"]["history"]["nodes"] == [
        {"action": "Customer.create", "actorKind": "USER", "actorLabel": "Ana Araújo"}
    ]
    reader = await post(
        jwt_client,
        token(tenant.slug, "reader"),
        """mutation {
      customerCreate(input: {code: "U-2", legalName: "X"}) { userErrors { code } } }""",
    )
    assert reader.json()["data"]["customerCreate"]["userErrors"] == [{"code": "FORBIDDEN"}]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": int(time.time()) - 3600}, "The token has expired."),
        ({"aud": "another-api"}, "The token is not meant for this API (aud)."),
        ({"tenant": "no-such-tenant"}, "The token's tenant is unknown."),
        ({"tenant": "00000000-0000-0000-0000-000000000001"}, "The token's tenant is unknown."),
    ],
)
async def test_a_bad_token_is_a_401_with_the_reason(
    jwt_client: httpx.AsyncClient, changes: dict[str, Any], reason: str
) -> None:
    headers = token(**{"tenant": "acme", **changes})
    response = await post(jwt_client, headers, "{ viewer { role } }")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="clientbase"'
    assert response.json() == {
        "errors": [{"message": reason, "extensions": {"code": "UNAUTHENTICATED"}}]
    }


async def test_tokens_signed_otherwise_are_refused(
    jwt_client: httpx.AsyncClient, database: Database
) -> None:
    tenant = await committed_tenant(database, Role.READER)
    claims = {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60,
              "tenant": tenant.slug, "role": "admin"}  # fmt: skip
    for forged in (jwt.encode(claims, None, algorithm="none"),
                   jwt.encode(claims, "not-the-secret-but-32-bytes-long!", algorithm="HS256")):  # fmt: skip
        response = await post(
            jwt_client, {"Authorization": f"Bearer {forged}"}, "{ viewer { role } }"
        )
        assert response.status_code == 401


async def test_without_configuration_tokens_are_refused(
    client: httpx.AsyncClient, database: Database
) -> None:
    tenant = await committed_tenant(database, Role.READER)
    response = await post(client, token(tenant.slug), "{ viewer { role } }")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        "Sign-in with a token is not configured; use an API key."
    )


def test_a_websocket_signs_in_with_a_token(stack: TestStack) -> None:
    from clientbase.app import create_app

    settings = get_settings().model_copy(update=JWT_SETTINGS)
    with TestClient(create_app(settings)) as client:
        assert client.portal is not None
        database = client.app.state.database  # type: ignore[attr-defined]
        tenant = client.portal.call(committed_tenant, database, Role.READER)
        job = client.portal.call(committed_job, database, tenant.tenant_id)
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json({"type": "connection_init",
                          "payload": token(tenant.slug, "reader")})  # fmt: skip
            assert ws.receive_json()["type"] == "connection_ack"
            ws.send_json({"id": "1", "type": "subscribe", "payload": {
                "query": "subscription($id: ID!) { jobUpdates(id: $id) { status } }",
                "variables": {"id": to_global_id("Job", job.id)}}})  # fmt: skip
            first = ws.receive_json()
            assert first["payload"]["data"] == {"jobUpdates": {"status": "QUEUED"}}
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            expired = token(tenant.slug, exp=int(time.time()) - 3600)
            ws.send_json({"type": "connection_init", "payload": expired})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4403


def test_the_secret_never_shows_in_the_settings() -> None:
    settings = get_settings().model_copy(update=JWT_SETTINGS)
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())


async def test_a_user_asking_again_gets_the_short_way_under_the_token_tenant(
    database: Database,
) -> None:
    """A compiled query asked again with a token is answered by clientbase.api_compiled:
    the tenant from its claim (slug or id), never for a token that fails verification."""
    from clientbase.app import create_app

    tenant = await committed_tenant(database, Role.READER)
    other = await committed_tenant(database, Role.READER)
    await inserted_customer(database, tenant, legal_name="Ótica Visão")
    settings = get_settings().model_copy(update=JWT_SETTINGS)
    app = create_app(settings)
    operations, normal = compiled_operations(app), counting_normal_path(app)
    query = "{ customers(first: 5) { totalCount nodes { legalName } } }"
    async with app_client(settings, app) as client:
        first = await post(client, token(tenant.slug, "reader"), query)
        assert len(operations) == 1
        again = await post(client, token(str(tenant.tenant_id), "reader"), query)
        theirs = await post(client, token(other.slug, "reader"), query)
        expired = await post(client, token(tenant.slug, "reader", exp=int(time.time()) - 60), query)
        unknown = await post(client, token("no-such-tenant", "reader"), query)
    assert normal.calls == 1  # the first time (the session middleware refuses the last two)
    assert again.content == first.content
    assert again.json()["data"]["customers"]["nodes"] == [{"legalName": "Ótica Visão"}]
    assert theirs.json()["data"]["customers"]["totalCount"] == 0
    assert expired.status_code == unknown.status_code == 401
