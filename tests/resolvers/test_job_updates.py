"""The `jobUpdates` subscription over graphql-transport-ws, on an in-process websocket:
authentication, tenancy, and live progress from Redis until the job ends."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from clientbase.app import create_app
from clientbase.schema.ids import to_global_id
from clientbase.services.jobs.runner import JobRun, run_job
from tests.helpers import TenantWithKey, committed_tenant
from tests.services.jobs.factories import committed_job, handler
from tests.stack import TestStack

PROTOCOL = ["graphql-transport-ws"]
SUBSCRIBE = """subscription($id: ID!) { jobUpdates(id: $id) {
  id status progress { total processed created } } }"""


@pytest.fixture
def app_client(stack: TestStack) -> Iterator[TestClient]:
    # The client runs the app, lifespan included, on its own event loop in another thread.
    with TestClient(create_app()) as client:
        yield client


def _call(client: TestClient, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a coroutine function on the app's event loop."""
    assert client.portal is not None
    return client.portal.call(functools.partial(fn, *args, **kwargs))


def _tenant(client: TestClient) -> TenantWithKey:
    app: Starlette = client.app  # type: ignore[assignment]
    return _call(client, committed_tenant, app.state.database)  # type: ignore[no-any-return]


def _subscribe(ws: Any, job_gid: str) -> None:
    ws.send_json({"id": "1", "type": "subscribe",
                  "payload": {"query": SUBSCRIBE, "variables": {"id": job_gid}}})  # fmt: skip


def _until_complete(ws: Any) -> list[dict[str, Any]]:
    messages = []
    while (message := ws.receive_json())["type"] != "complete":
        assert message["type"] == "next", message
        messages.append(message["payload"])
    return messages


async def _export(run: JobRun) -> None:
    for _ in range(3):
        async with run.session() as session:
            await run.save_progress(session, total=3, processed=1, created=1)
            await session.commit()


def test_progress_is_pushed_until_the_job_ends(app_client: TestClient) -> None:
    app: Any = app_client.app
    caller = _tenant(app_client)
    job = _call(app_client, committed_job, app.state.database, caller.tenant_id, "EXPORT")
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "connection_init", "payload": {"apiKey": caller.secret}})
        assert ws.receive_json()["type"] == "connection_ack"
        _subscribe(ws, to_global_id("Job", job.id))
        first = ws.receive_json()
        assert first["payload"]["data"]["jobUpdates"]["status"] == "QUEUED"
        with handler("EXPORT", _export):
            _call(app_client, run_job, job.id, app.state.database, app.state.job_events.publish,
                  tenant_id=caller.tenant_id)  # fmt: skip
        updates = [m["data"]["jobUpdates"] for m in _until_complete(ws)]
    assert updates[-1]["status"] == "SUCCEEDED"
    assert updates[-1]["progress"] == {"total": 3, "processed": 3, "created": 3}
    processed = [u["progress"]["processed"] for u in updates]
    assert processed == sorted(processed)


def test_a_key_in_the_upgrade_headers_works_and_other_tenants_see_nothing(
    app_client: TestClient,
) -> None:
    app: Any = app_client.app
    owner, stranger = _tenant(app_client), _tenant(app_client)
    job = _call(app_client, committed_job, app.state.database, owner.tenant_id, "EXPORT",
                status="SUCCEEDED")  # fmt: skip
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL,
                                      headers=stranger.headers) as ws:  # fmt: skip
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        _subscribe(ws, to_global_id("Job", job.id))
        [result] = _until_complete(ws)
    assert result["data"] is None
    assert result["errors"][0]["message"] == "No Job with this id."
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL,
                                      headers=owner.headers) as ws:  # fmt: skip
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        _subscribe(ws, to_global_id("Job", job.id))
        [ended] = _until_complete(ws)  # a finished job: its state once, then complete
    assert ended["data"]["jobUpdates"]["status"] == "SUCCEEDED"


def test_a_websocket_without_a_valid_key_is_closed(app_client: TestClient) -> None:
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer cb_nope"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403
    bad_header = {"Authorization": "Bearer cb_not_a_key"}
    with (
        pytest.raises(WebSocketDisconnect),
        app_client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=bad_header),
    ):
        pass
