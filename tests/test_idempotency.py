"""Idempotency-Key on mutations: one effect per key, the first answer again on retry."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text

from clientbase.core.db import Database
from clientbase.services import idempotency
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant

CREATE = """mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id code } userErrors { field code message } } }"""


def _request(code: str, name: str = "Padaria Idempotente") -> dict[str, Any]:
    return {"query": CREATE, "variables": {"input": {"code": code, "legalName": name}}}


async def _post(client: httpx.AsyncClient, caller: TenantWithKey, body: dict[str, Any],
                key: str | None) -> httpx.Response:  # fmt: skip
    headers = {**caller.headers, **({"Idempotency-Key": key} if key else {})}
    return await client.post("/graphql", json=body, headers=headers)


async def _count(database: Database, caller: TenantWithKey, code: str) -> int:
    async with database.session(caller.tenant_id) as session:
        found = await session.execute(text("SELECT count(*) FROM customer WHERE code = :c"),
                                      {"c": code})  # fmt: skip
        return int(found.scalar_one())


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_makes_nothing_twice(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    key = str(uuid.uuid4())
    first = await _post(client, editor, _request("IDEM-1"), key)
    again = await _post(client, editor, _request("IDEM-1"), key)
    assert first.status_code == again.status_code == 200
    assert first.json()["data"]["customerCreate"]["userErrors"] == []
    assert again.json()["data"] == first.json()["data"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await _count(database, editor, "IDEM-1") == 1
    # Without a key the same request is a new one (and meets the taken code).
    third = await _post(client, editor, _request("IDEM-1"), None)
    assert third.json()["data"]["customerCreate"]["userErrors"][0]["code"] == "TAKEN"


async def test_a_key_reused_for_another_request_is_refused(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    key = str(uuid.uuid4())
    assert (await _post(client, editor, _request("IDEM-2"), key)).status_code == 200
    other = await _post(client, editor, _request("IDEM-3"), key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await _count(database, editor, "IDEM-3") == 0


async def test_keys_belong_to_their_tenant(client: httpx.AsyncClient, database: Database) -> None:
    first = await committed_tenant(database, Role.EDITOR)
    other = await committed_tenant(database, Role.EDITOR)
    key = str(uuid.uuid4())
    assert (await _post(client, first, _request("IDEM-4"), key)).status_code == 200
    answer = await _post(client, other, _request("IDEM-4"), key)
    assert answer.status_code == 200 and "idempotent-replayed" not in answer.headers
    assert await _count(database, other, "IDEM-4") == 1


async def test_an_applied_request_whose_answer_was_lost_is_not_applied_again(
    client: httpx.AsyncClient, database: Database
) -> None:
    # The API died between the commit and storing the answer: the key is there, no answer.
    editor = await committed_tenant(database, Role.EDITOR)
    key, body = str(uuid.uuid4()), _request("IDEM-5")
    digest = idempotency.request_hash(httpx.Request("POST", "/", json=body).content)
    async with database.session(editor.tenant_id) as session:
        assert await idempotency.claim(session, editor.tenant_id, key, digest)
        await session.commit()
    retry = await _post(client, editor, body, key)
    assert retry.status_code == 409 and retry.headers["retry-after"] == "1"
    assert retry.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert await _count(database, editor, "IDEM-5") == 0
    # Once no request with the key can still be running, the client is told its answer is
    # lost (not to retry for ever); still nothing is applied twice.
    async with database.session(editor.tenant_id) as session:
        await session.execute(
            text("UPDATE idempotency_key SET created_at = now() - make_interval(secs => :s) "
                 "WHERE key = :key"), {"s": idempotency.ANSWER_WAIT_SECONDS + 1, "key": key})  # fmt: skip
        await session.commit()
    lost = await _post(client, editor, body, key)
    assert lost.status_code == 409 and "retry-after" not in lost.headers
    assert lost.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_ANSWER_LOST"
    assert await _count(database, editor, "IDEM-5") == 0


async def test_a_refused_mutation_keeps_no_key(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    key = str(uuid.uuid4())
    refused = await _post(client, editor, _request("IDEM-6", name=""), key)
    assert refused.json()["data"]["customerCreate"]["userErrors"]
    async with database.session(editor.tenant_id) as session:
        assert await idempotency.earlier(session, editor.tenant_id, key) is None


async def test_a_key_older_than_a_day_is_free_again(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    key = str(uuid.uuid4())
    assert (await _post(client, editor, _request("IDEM-7"), key)).status_code == 200
    async with database.session(editor.tenant_id) as session:
        await session.execute(text("UPDATE idempotency_key SET created_at = now() - "
                                   "interval '25 hours' WHERE key = :key"), {"key": key})  # fmt: skip
        await session.commit()
    later = await _post(client, editor, _request("IDEM-8"), key)
    assert later.status_code == 200 and "idempotent-replayed" not in later.headers
    assert await _count(database, editor, "IDEM-8") == 1
