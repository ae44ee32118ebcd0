"""The API while its database is down: 503 with Retry-After, and back by itself after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from clientbase.app import create_app
from clientbase.core.config import Settings
from clientbase.core.db import Database
from clientbase.core.devstack import DevStack
from clientbase.core.migrate import upgrade
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Role
from tests.stack import APP_ROLE, TestStack

VIEWER = {"query": "{ viewer { role } }"}


@pytest.fixture
async def own_postgres(tmp_path: Path) -> AsyncIterator[DevStack]:
    """A PostgreSQL of this test's own, which it may stop and start."""
    servers = DevStack.in_directory(tmp_path / "servers", with_redis=False, durable=False)
    servers.start()
    try:
        assert servers.postgres is not None
        await upgrade(servers.postgres.owner_url, APP_ROLE)
        yield servers
    finally:
        servers.stop()


async def test_the_api_answers_503_while_the_database_is_down_then_recovers(
    own_postgres: DevStack, stack: TestStack
) -> None:
    postgres = own_postgres.postgres
    assert postgres is not None
    app_url = postgres.app_url(APP_ROLE)
    database = Database(app_url, pool_size=1, max_overflow=0)
    async with database.session() as session:
        tenant = await auth.create_tenant(session, "outage", "Outage")
        issued = await auth.create_api_key(session, tenant, Role.READER, name="outage")
        await session.commit()
    await database.dispose()

    app = create_app(Settings(database_url=app_url, redis_url=stack.redis_url))
    headers = {"Authorization": f"Bearer {issued.secret}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            before = await client.post("/graphql", json=VIEWER, headers=headers)
            assert before.status_code == 200, before.text

            postgres.stop()
            during = await client.post("/graphql", json=VIEWER, headers=headers)
            assert during.status_code == 503, during.text
            assert during.headers["retry-after"] == "5"
            assert during.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"

            postgres.start()
            after = await client.post("/graphql", json=VIEWER, headers=headers)
            assert after.status_code == 200, after.text
            assert after.json()["data"]["viewer"]["role"] == "READER"
