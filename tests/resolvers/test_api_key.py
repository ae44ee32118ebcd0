"""API key management over GraphQL: admins only, the secret shown once and working at once."""

from __future__ import annotations

import httpx

from clientbase.core.db import Database
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql, gql_errors

CREATE = """mutation($name: String!, $role: Role!) { apiKeyCreate(input: {name: $name, role: $role}) {
  secret apiKey { id name prefix role revokedAt } userErrors { field code message } } }"""
REVOKE = "mutation($id: ID!) { apiKeyRevoke(id: $id) { apiKey { revokedAt } userErrors { code } } }"


async def test_admin_creates_lists_and_revokes(
    client: httpx.AsyncClient, database: Database
) -> None:
    admin = await committed_tenant(database, Role.ADMIN)
    made = (await gql(client, admin, CREATE, {"name": "ERP sync", "role": "EDITOR"}))[
        "apiKeyCreate"
    ]
    assert made["userErrors"] == [] and made["secret"].startswith(made["apiKey"]["prefix"])
    partner = TenantWithKey(admin.tenant_id, admin.slug, made["secret"], admin.key_id)
    viewer = await gql(client, partner, "{ viewer { role tenant { slug } } }")
    assert viewer["viewer"] == {"role": "EDITOR", "tenant": {"slug": admin.slug}}

    listed = (await gql(client, admin, "{ apiKeys { name prefix role } }"))["apiKeys"]
    assert {"name": "ERP sync", "prefix": made["apiKey"]["prefix"], "role": "EDITOR"} in listed
    assert made["secret"] not in str(listed)

    revoked = await gql(client, admin, REVOKE, {"id": made["apiKey"]["id"]})
    assert revoked["apiKeyRevoke"]["apiKey"]["revokedAt"] is not None
    response = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers=partner.headers
    )
    assert response.status_code == 401
    history = (await gql(client, admin, "{ apiKeys { name revokedAt } }"))["apiKeys"]
    assert any(k["name"] == "ERP sync" and k["revokedAt"] for k in history)


async def test_non_admins_cannot_manage_keys(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = (await gql(client, editor, CREATE, {"name": "x", "role": "ADMIN"}))["apiKeyCreate"]
    assert made["secret"] is None and made["userErrors"][0]["code"] == "FORBIDDEN"
    errors = await gql_errors(client, editor, "{ apiKeys { name } }")
    assert errors[0]["message"] == "This needs the admin role."


async def test_blank_name_is_required(client: httpx.AsyncClient, database: Database) -> None:
    admin = await committed_tenant(database, Role.ADMIN)
    made = (await gql(client, admin, CREATE, {"name": " ", "role": "READER"}))["apiKeyCreate"]
    assert made["userErrors"] == [{"field": ["input", "name"], "code": "REQUIRED",
                                   "message": "`name` is required."}]  # fmt: skip
