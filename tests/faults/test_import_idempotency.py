"""One import submitted twice with one Idempotency-Key, one after the other or at once:
one job, and every answer names it or says to ask again."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import text

from clientbase.core.db import Database
from clientbase.services.auth.principal import Role
from tests.faults.jobs import customers_csv
from tests.helpers import TenantWithKey, committed_tenant

START = """mutation($input: ImportStartInput!) {
  importStart(input: $input) { job { id status } userErrors { field code message } } }"""


async def _upload(client: httpx.AsyncClient, caller: TenantWithKey) -> str:
    response = await client.post("/files", content=customers_csv(20), headers={
        **caller.headers, "Content-Type": "text/csv", "X-Filename": "customers.csv"})  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _start(client: httpx.AsyncClient, caller: TenantWithKey, file_id: str,
                 key: str) -> httpx.Response:  # fmt: skip
    body = {"query": START, "variables": {"input": {"fileId": file_id, "entity": "CUSTOMERS"}}}
    return await client.post("/graphql", json=body,
                             headers={**caller.headers, "Idempotency-Key": key})  # fmt: skip


async def _jobs(database: Database, caller: TenantWithKey) -> list[Any]:
    async with database.session(caller.tenant_id) as session:
        return list((await session.execute(text("SELECT id FROM job"))).scalars())


async def test_an_import_sent_twice_with_one_key_is_one_job(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    file_id, key = await _upload(client, caller), str(uuid.uuid4())
    first = await _start(client, caller, file_id, key)
    again = await _start(client, caller, file_id, key)
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert again.headers["idempotent-replayed"] == "true"
    job = first.json()["data"]["importStart"]["job"]
    assert again.json()["data"]["importStart"]["job"]["id"] == job["id"]
    assert len(await _jobs(database, caller)) == 1


async def test_an_import_sent_twice_at_once_with_one_key_is_one_job(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    file_id, key = await _upload(client, caller), str(uuid.uuid4())
    answers = await asyncio.gather(*(_start(client, caller, file_id, key) for _ in range(4)))
    ids = set()
    for answer in answers:
        # The one that ran, replays of its answer, or "applied meanwhile: send it again".
        assert answer.status_code in (200, 409), answer.text
        if answer.status_code == 200:
            payload = answer.json()["data"]["importStart"]
            if payload["job"] is not None:
                ids.add(payload["job"]["id"])
            else:
                assert payload["userErrors"][0]["code"] == "INVALID_STATE", payload
    assert len(ids) == 1
    assert len(await _jobs(database, caller)) == 1
    # Sent again later, it gets the job that was made.
    later = await _start(client, caller, file_id, key)
    assert later.json()["data"]["importStart"]["job"]["id"] in ids
