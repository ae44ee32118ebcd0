"""kill -9 of the API while it runs a mutation sent with an Idempotency-Key: the client's
retry, on the API started again, leaves exactly one record, whenever the kill fell."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from clientbase.core.db import Database
from tests.faults.jobs import until
from tests.faults.processes import Child, start_api
from tests.helpers import TenantWithKey, committed_tenant
from tests.stack import TestStack

CREATE = """mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id code } userErrors { field code message } } }"""
SEED = int(os.environ.get("CLIENTBASE_FAULT_SEED", "20261123"))
# A backend of the API waiting for a lock the test holds: the mutation is inside its
# transaction (or, for the answer, just after its commit).
# (Read from pg_locks: a statement waits at its parse already, before pg_stat_activity
# shows its text.) The API gives up on a lock after 5 s (its lock_timeout).
WAITING = """SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
    WHERE NOT l.granted AND l.relation = $1::regclass AND a.application_name = 'clientbase'"""


@pytest.fixture
async def owner(stack: TestStack) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(stack.owner_url.replace("+asyncpg", ""))
    yield connection
    await connection.close()


class Api:
    def __init__(self, log: Path) -> None:
        self.log = log
        self.child: Child | None = None
        self.base = ""

    async def start(self) -> None:
        self.child, self.base = await asyncio.to_thread(start_api, self.log)

    def kill(self) -> None:
        assert self.child is not None
        self.child.kill()

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    server = Api(tmp_path / "api.log")
    await server.start()
    try:
        yield server
    finally:
        server.stop()


def _body(code: str) -> dict[str, Any]:
    return {"query": CREATE, "variables": {"input": {"code": code, "legalName": f"Firma {code}"}}}


async def _post(api: Api, caller: TenantWithKey, code: str, key: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=api.base, timeout=30) as http:
        return await http.post("/graphql", json=_body(code),
                               headers={**caller.headers, "Idempotency-Key": key})  # fmt: skip


async def _retry(api: Api, caller: TenantWithKey, code: str, key: str) -> httpx.Response:
    """The client's retry: again until the answer is not "connection refused"."""
    for _ in range(100):
        try:
            return await _post(api, caller, code, key)
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    raise AssertionError("the API never answered the retry")


async def _records(database: Database, caller: TenantWithKey, code: str) -> int:
    async with database.session(caller.tenant_id) as session:
        found = await session.execute(text("SELECT count(*) FROM customer WHERE code = :c"),
                                      {"c": code})  # fmt: skip
        return int(found.scalar_one())


def _waiting_for(owner: asyncpg.Connection, table: str) -> Callable[[], Awaitable[bool]]:
    async def waiting() -> bool:
        return bool(await owner.fetchval(WAITING, table))

    return waiting


async def _kill_while(api: Api, owner: asyncpg.Connection, caller: TenantWithKey, code: str,
                      key: str, table: str) -> None:  # fmt: skip
    """Send the mutation, wait until the API waits on the test's lock of `table`, kill it."""
    request = asyncio.create_task(_post(api, caller, code, key))
    await until(_waiting_for(owner, table), 30, f"the API waiting for {table}")
    api.kill()
    with pytest.raises(httpx.TransportError):
        await request


async def test_killed_inside_the_mutation_the_retry_makes_the_one_record(
    api: Api, owner: asyncpg.Connection, database: Database
) -> None:
    caller = await committed_tenant(database)
    code, key = "KILL-IN", str(uuid.uuid4())
    async with owner.transaction():
        await owner.execute("LOCK TABLE customer IN SHARE ROW EXCLUSIVE MODE")
        await _kill_while(api, owner, caller, code, key, "customer")
    await api.start()
    retry = await _retry(api, caller, code, key)
    assert retry.status_code == 200, retry.text
    assert retry.json()["data"]["customerCreate"]["userErrors"] == []
    assert "idempotent-replayed" not in retry.headers  # nothing was kept of the first
    assert await _records(database, caller, code) == 1


async def test_killed_after_the_commit_the_retry_makes_nothing_more(
    api: Api, owner: asyncpg.Connection, stack: TestStack, database: Database
) -> None:
    caller = await committed_tenant(database)
    code, key = "KILL-AFTER", str(uuid.uuid4())
    request = asyncio.create_task(_post(api, caller, code, key))
    answer_lock = await asyncpg.connect(stack.owner_url.replace("+asyncpg", ""))
    try:
        async with owner.transaction():
            # The mutation waits for the customer table, its key claimed (uncommitted)...
            await owner.execute("LOCK TABLE customer IN SHARE ROW EXCLUSIVE MODE")
            await until(_waiting_for(owner, "customer"), 30, "the mutation waiting")
            # ...and this lock, granted once it commits, keeps its answer from being stored.
            await answer_lock.execute("BEGIN")
            take = asyncio.create_task(
                answer_lock.execute("LOCK TABLE idempotency_key IN SHARE MODE"))  # fmt: skip
            await asyncio.sleep(0.2)
        await take
        await until(_waiting_for(owner, "idempotency_key"), 30, "the answer waiting")
        api.kill()
        # The answer went out before it was to be stored: a client that lost it retries.
        with contextlib.suppress(httpx.TransportError):
            await request
    finally:
        await answer_lock.close()
    assert await _records(database, caller, code) == 1  # committed before the kill
    await api.start()
    retry = await _retry(api, caller, code, key)
    # The effect is there, its answer was lost with the process: the API says so.
    assert retry.status_code == 409, retry.text
    assert retry.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert await _records(database, caller, code) == 1


async def test_killed_at_random_moments_each_retry_leaves_one_record(
    api: Api, database: Database
) -> None:
    rng = random.Random(SEED)
    delays = [round(rng.uniform(0.0, 0.25), 3) for _ in range(2)]
    print(f"seed {SEED}; kill -9 the API this long after sending: {delays} s")
    caller = await committed_tenant(database)
    outcomes = []
    for index, delay in enumerate(delays):
        code, key = f"KILL-R{index}", str(uuid.uuid4())
        request = asyncio.create_task(_post(api, caller, code, key))
        await asyncio.sleep(delay)
        api.kill()
        try:
            first: httpx.Response | None = await request
        except httpx.TransportError:
            first = None
        await api.start()
        retry = await _retry(api, caller, code, key)
        assert retry.status_code in (200, 409), retry.text
        outcomes.append((first.status_code if first else None, retry.status_code,
                         retry.headers.get("idempotent-replayed")))  # fmt: skip
        assert await _records(database, caller, code) == 1, outcomes
    print(f"(first answer, retry answer, replayed) per kill: {outcomes}")
