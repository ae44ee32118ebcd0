"""The console page in headless Chromium against a real API and worker: the key, the
typeahead, a customer's 360 view, a CSV import with live progress over the websocket, and
the duplicate review, under the page's Content-Security-Policy."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from clientbase.core.db import Database
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Role
from tests.browser.conftest import artifacts_dir
from tests.helpers import TenantWithKey, committed_tenant

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CREATE = """mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input, confirmDuplicate: true) { customer { id } userErrors { message } } }"""
SCAN = "mutation { duplicateScanStart(input: {onlyChanged: false}) { job { id } } }"
JOB = "query($id: ID!) { node(id: $id) { ... on Job { status } } }"
OPEN_PAIRS = "{ duplicateCandidates(filter: {status: OPEN}) { totalCount } }"
TIMEOUT_MS = 60_000
ROWS = 12_000


async def _gql(http: httpx.AsyncClient, caller: TenantWithKey, query: str,
               variables: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                               headers=caller.headers)  # fmt: skip
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def _seed(base: str, database: Database) -> TenantWithKey:
    """A tenant with a customer (contacts, sites) and a likely duplicate pair, scanned."""
    caller = await committed_tenant(database, Role.EDITOR)
    async with database.session(caller.tenant_id) as session:
        tenant = await auth.get_tenant(session, caller.tenant_id)
        assert tenant is not None
        await auth.set_default_country(session, tenant, "BR")
        await session.commit()
    customers = [
        {"code": "C-1001", "legalName": "Padaria São João Ltda", "phone": "11 98765-4321",
         "contacts": [{"firstName": "Maria", "lastName": "Souza", "isPrimary": True}],
         "sites": [{"name": "Loja Centro", "address": {"city": "São Paulo", "country": "BR"}}]},
        {"code": "C-1002", "legalName": "PADARIA SAO JOAO", "phone": "(11) 98765 4321"},
    ]  # fmt: skip
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for data in customers:
            made = (await _gql(http, caller, CREATE, {"input": data}))["customerCreate"]
            assert made["customer"], made
        job = (await _gql(http, caller, SCAN))["duplicateScanStart"]["job"]
        for _ in range(600):
            status = (await _gql(http, caller, JOB, {"id": job["id"]}))["node"]["status"]
            if status not in ("QUEUED", "RUNNING"):
                break
            await asyncio.sleep(0.1)
        assert status == "SUCCEEDED"
    return caller


def _csv(path: Path, rows: int) -> Path:
    lines = ["code,legal_name,city"]
    lines += [f"IMP-{n:05d},Oficina Número {n} Ltda,Campinas" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_console_search_customer_import_and_duplicates(
    servers: str, browser_page: Any, database: Database, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    base, page = servers, browser_page
    caller = await _seed(base, database)
    frames: list[dict[str, Any]] = []

    def on_socket(socket: Any) -> None:
        socket.on("framereceived", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", on_socket)
    response = await page.goto(f"{base}/")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # A wrong key is refused with the reason; the right one is kept in sessionStorage.
    await page.fill("#api-key", "cb_not-a-key")
    await page.click("#key-form button")
    await expect(page.locator("#error")).to_contain_text("refused", timeout=TIMEOUT_MS)
    page.problems.clear()  # the browser reports the 401 itself
    await page.fill("#api-key", caller.secret)
    await page.click("#key-form button")
    await expect(page.locator("#viewer")).to_contain_text("EDITOR", timeout=TIMEOUT_MS)
    stored = await page.evaluate("sessionStorage.getItem('clientbase.apiKey')")
    assert stored == caller.secret

    # Typeahead, then the customer's 360 view.
    await page.locator("#search").press_sequentially("padaria sao", delay=30)
    hit = page.locator("#results button", has_text="Padaria São João Ltda")
    await expect(hit).to_be_visible(timeout=TIMEOUT_MS)
    await hit.click()
    await expect(page.locator("#customer-name")).to_contain_text("C-1001")
    await expect(page.locator("#customer-contacts")).to_contain_text("Maria Souza")
    await expect(page.locator("#customer-sites")).to_contain_text("Loja Centro")

    # An import: upload, start, and the progress bar fed by the subscription.
    # Three chunks of 5,000 rows: the bar moves before the job ends.
    await page.set_input_files("#import-file", str(_csv(tmp_path / "customers.csv", ROWS)))
    await page.select_option("#import-entity", "CUSTOMERS")
    await page.click("#import-start")
    bar = page.locator("#import-progress")
    await expect(bar).to_have_attribute("data-status", "SUCCEEDED", timeout=TIMEOUT_MS)
    assert await bar.evaluate("element => element.value") == 100
    await expect(page.locator("#import-status")).to_contain_text(f"{ROWS} created")
    assert frames[0]["type"] == "connection_ack", frames
    updates = [f["payload"]["data"]["jobUpdates"] for f in frames if f["type"] == "next"]
    seen = [u["progress"]["processed"] for u in updates]
    assert seen == sorted(seen) and seen[-1] == ROWS, seen
    assert any(0 < processed < ROWS for processed in seen), seen  # a live update midway

    # The duplicate review: the pair with its reasons, dismissed.
    await page.click("#duplicates-load")
    pair = page.locator("#duplicates li", has_text="PADARIA SAO JOAO")
    await expect(pair).to_contain_text("phone", timeout=TIMEOUT_MS)
    await page.screenshot(path=str(artifacts_dir() / "console.png"), full_page=True)
    await pair.get_by_role("button", name="Dismiss").click()
    await expect(pair).to_have_count(0, timeout=TIMEOUT_MS)
    async with httpx.AsyncClient(base_url=base) as http:
        left = (await _gql(http, caller, OPEN_PAIRS))["duplicateCandidates"]["totalCount"]
    assert left == 0

    assert await page.locator("#error").is_hidden()
    assert page.problems == []  # no CSP violation, no script error
