"""The key-use actor on a real Redis broker and a real worker, fed by real API requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dramatiq
import httpx

from clientbase.core.db import Database
from clientbase.models.api_key import ApiKey
from clientbase.workers.actors import broker, record_api_key_use
from tests.helpers import committed_tenant


async def _last_used(database: Database, tenant_id: object, key_id: object) -> datetime | None:
    async with database.session(tenant_id) as session:  # type: ignore[arg-type]
        key = await session.get(ApiKey, key_id)
        assert key is not None
        return key.last_used_at


async def _drain(running: dramatiq.Worker) -> None:
    import asyncio

    await asyncio.to_thread(broker.join, record_api_key_use.queue_name, timeout=20_000)
    await asyncio.to_thread(running.join)


async def test_a_request_stamps_last_used_through_the_worker(
    client: httpx.AsyncClient, database: Database, worker: dramatiq.Worker
) -> None:
    caller = await committed_tenant(database)
    assert await _last_used(database, caller.tenant_id, caller.key_id) is None
    before = datetime.now(UTC)
    response = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers=caller.headers
    )
    assert response.status_code == 200
    await _drain(worker)
    stamped = await _last_used(database, caller.tenant_id, caller.key_id)
    assert stamped is not None and stamped >= before - timedelta(seconds=1)


async def test_redelivery_and_older_stamps_change_nothing(
    database: Database, worker: dramatiq.Worker
) -> None:
    caller = await committed_tenant(database)
    newer = datetime(2030, 1, 2, tzinfo=UTC)
    older = datetime(2030, 1, 1, tzinfo=UTC)
    for stamp in (newer, newer, older):
        record_api_key_use.send(str(caller.tenant_id), str(caller.key_id), stamp.isoformat())
    await _drain(worker)
    assert await _last_used(database, caller.tenant_id, caller.key_id) == newer
