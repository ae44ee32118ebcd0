"""Small async helpers shared by tests: tenant scoping and committed tenants with keys."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from clientbase.core.config import Settings
from clientbase.core.db import TENANT_KEY, Database
from clientbase.models.customer import Customer
from clientbase.schema.compiled.operations import OperationCache
from clientbase.schema.ids import to_global_id
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Role
from clientbase.services.normalise import name_key


async def set_tenant(session: AsyncSession, tenant_id: uuid.UUID | None) -> None:
    """Set app.tenant_id as raw SQL would, and for savepoints the session begins later."""
    if tenant_id is None:
        session.info.pop(TENANT_KEY, None)
    else:
        session.info[TENANT_KEY] = tenant_id
    value = "" if tenant_id is None else str(tenant_id)
    await session.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": value})


@dataclass
class TenantWithKey:
    tenant_id: uuid.UUID
    slug: str
    secret: str
    key_id: uuid.UUID

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


async def committed_tenant(database: Database, role: Role = Role.EDITOR) -> TenantWithKey:
    """A tenant and an API key, committed so the API under test can see them."""
    slug = f"t-{uuid.uuid4().hex[:12]}"
    async with database.session() as session:
        tenant = await auth.create_tenant(session, slug, f"Tenant {slug}")
        issued = await auth.create_api_key(session, tenant, role, name="test key")
        await session.commit()
    return TenantWithKey(tenant.id, slug, issued.secret, issued.api_key.id)


async def gql(
    client: Any, caller: TenantWithKey, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST a GraphQL operation as `caller`; fail loudly on transport or top-level errors."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=caller.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[no-any-return]


async def gql_errors(
    client: Any, caller: TenantWithKey, query: str, variables: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """POST an operation expected to fail with top-level errors; return them."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=caller.headers
    )
    body = response.json()
    assert body.get("errors"), body
    return body["errors"]  # type: ignore[no-any-return]


@asynccontextmanager
async def app_client(
    settings: Settings, app: Starlette | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own, for tests that need settings other than the defaults
    (or of `app`, made from them by the test)."""
    from clientbase.app import create_app

    app = app or create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://clientbase.test") as c:
            yield c


def compiled_operations(app: Starlette) -> OperationCache:
    """The operations an app answers the short way (clientbase.api_compiled)."""
    from clientbase.api_compiled import CompiledReads

    short_way = next(m for m in app.user_middleware if m.cls is CompiledReads)
    operations: OperationCache = short_way.kwargs["operations"]
    return operations


class CountingApp:
    """Counts the requests that reach the normal path (Strawberry)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await self.app(scope, receive, send)


def counting_normal_path(app: Starlette) -> CountingApp:
    """Count the GraphQL requests that reach Strawberry (not answered the short way)."""
    from starlette.routing import Route

    route = next(r for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
    counting = CountingApp(route.app)
    route.app = counting
    return counting


async def inserted_customer(database: Database, caller: TenantWithKey, code: str | None = None,
                            legal_name: str = "Acme Ltda") -> str:  # fmt: skip
    """A customer inserted directly (its global id), for tests that must not depend on
    customerCreate."""
    async with database.session(caller.tenant_id) as session:
        row = Customer(id=uuid.uuid4(), tenant_id=caller.tenant_id, kind="COMPANY",
                       code=code or f"C-{uuid.uuid4().hex[:8]}", legal_name=legal_name,
                       name_key=name_key(legal_name))  # fmt: skip
        session.add(row)
        await session.commit()
    return to_global_id("Customer", row.id)
