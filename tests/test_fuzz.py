"""Generated operations for every root field (schemathesis in its GraphQL mode) against the API
on a real socket: whatever the input, no 5xx and no masked resolver failure."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis.graphql
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientbase.app import create_app
from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.core.devstack import free_port
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant

SDL = Path(__file__).parents[1] / "clientbase" / "schema" / "schema.graphql"
EXAMPLES_PER_FIELD = 8
MASKED = "Unexpected error."


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    # Budgets off: the fuzzer sends hundreds of requests a second with one key.
    app = create_app(get_settings().model_copy(update={
        "requests_per_minute": 0, "query_cost_per_minute": 0}))  # fmt: skip
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the API did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
async def admin(database: Database) -> TenantWithKey:
    return await committed_tenant(database, Role.ADMIN)


# schemathesis itself draws from `random` inside its strategies (Hypothesis seeds it).
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_generated_operations_cause_no_server_error(base_url: str, admin: TenantWithKey) -> None:
    schema = schemathesis.graphql.from_path(str(SDL))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures: list[str] = []
    sent: list[int] = []
    with httpx.Client(base_url=base_url, headers=admin.headers, timeout=30) as http:

        @settings(max_examples=EXAMPLES_PER_FIELD * len(operations), derandomize=True,
                  database=None, deadline=None, suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(st.one_of(*(op.as_strategy() for op in operations)))
        def run(case: Any) -> None:
            response = http.post("/graphql", json={"query": case.body})
            sent.append(response.status_code)
            body = response.json() if response.status_code < 500 else {}
            masked = [e for e in body.get("errors") or [] if e.get("message") == MASKED]
            if response.status_code >= 500 or masked:
                failures.append(f"{response.status_code} {case.body[:300]} {body}")

        run()
    assert failures == []
    assert len(sent) >= 2 * len(operations) and sent.count(200) > len(operations)
