"""The console's routes: off outside development unless asked for, and served with a
Content-Security-Policy that allows same-origin scripts and connections only."""

from __future__ import annotations

import httpx

from clientbase.core.config import Settings
from tests.helpers import app_client


async def test_the_console_is_off_outside_development(client: httpx.AsyncClient) -> None:
    # The test app runs with CLIENTBASE_ENVIRONMENT=test.
    assert (await client.get("/")).status_code == 404
    assert (await client.get("/console/console.js")).status_code == 404


async def test_the_console_page_and_its_files_carry_the_security_headers() -> None:
    async with app_client(Settings(console=True)) as client:
        page = await client.get("/")
        script = await client.get("/console/console.js")
        style = await client.get("/console/console.css")
        missing = await client.get("/console/nothing.js")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/console/console.js" defer></script>' in page.text
    assert "<script>" not in page.text  # no inline script: the policy would refuse it
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert script.headers["content-security-policy"] == policy
    assert "graphql-transport-ws" in script.text
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    assert missing.status_code == 404


def test_development_turns_the_console_on_by_default() -> None:
    assert Settings(environment="development").console_enabled
    assert not Settings(environment="production").console_enabled
    assert Settings(environment="production", console=True).console_enabled
