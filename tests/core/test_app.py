"""App wiring without a caller: readiness, configuration errors, the launcher's rules."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from clientbase.app import ConfigurationError, create_app
from clientbase.core.config import Settings
from clientbase.core.devstack import free_port
from clientbase.launcher import LauncherError, embedded_stack
from tests.stack import TestStack


async def test_readyz_is_503_when_redis_is_unreachable(stack: TestStack) -> None:
    settings = Settings(database_url=stack.app_url, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
            assert (await client.get("/healthz")).status_code == 200
    assert response.status_code == 503
    assert response.json()["checks"]["postgres"] == "ok"
    assert response.json()["checks"]["redis"].startswith("unavailable")


async def test_the_api_refuses_a_role_that_bypasses_rls(stack: TestStack) -> None:
    app = create_app(Settings(database_url=stack.owner_url, redis_url=stack.redis_url))
    with pytest.raises(ConfigurationError, match="superuser or BYPASSRLS"):
        async with app.router.lifespan_context(app):
            pass


def test_missing_urls_are_errors_when_embedding_is_off(tmp_path: Path) -> None:
    settings = Settings(database_url=None, redis_url="redis://x", embedded=False, data_dir=tmp_path)
    with pytest.raises(LauncherError, match="CLIENTBASE_DATABASE_URL not set"):
        embedded_stack(settings)
    with pytest.raises(ConfigurationError, match="CLIENTBASE_DATABASE_URL"):
        create_app(settings)


def test_only_missing_servers_are_embedded(tmp_path: Path) -> None:
    stack = embedded_stack(
        Settings(database_url=None, redis_url="redis://x", data_dir=tmp_path, embedded=True)
    )
    assert stack is not None and stack.postgres is not None and stack.redis is None
    assert embedded_stack(Settings(database_url="postgresql://x", redis_url="redis://x")) is None


async def test_the_apis_connections_carry_its_timeouts(stack: TestStack) -> None:
    settings = Settings(database_url=stack.app_url, redis_url=stack.redis_url,
                        api_statement_timeout_ms=200, api_lock_timeout_ms=150)  # fmt: skip
    app = create_app(settings)
    async with app.router.lifespan_context(app), app.state.database.session() as session:
        shown = [(await session.execute(text(f"SHOW {name}"))).scalar_one()
                 for name in ("statement_timeout", "lock_timeout",
                              "idle_in_transaction_session_timeout")]  # fmt: skip
        assert shown == ["200ms", "150ms", "1min"]
        with pytest.raises(DBAPIError, match="statement timeout"):
            await session.execute(text("SELECT pg_sleep(2)"))
