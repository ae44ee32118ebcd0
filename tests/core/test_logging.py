"""Log set-up: with JSON on, structlog's lines and the standard library's (uvicorn,
Dramatiq) are one JSON object each, with the context bound for the request."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from clientbase.core.logging import configure_logging


@pytest.fixture
def json_logs() -> Iterator[None]:
    configure_logging("INFO", json=True)
    yield
    configure_logging("INFO", json=False)


def _objects(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_standard_library_lines_are_json_with_the_bound_request_id(
    json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with structlog.contextvars.bound_contextvars(request_id="req-42"):
        logging.getLogger("uvicorn.error").warning("worker %s stopped", "w-1")
        structlog.get_logger("fresh.logger").info("job ended", status="SUCCEEDED")
    lines = _objects(capsys.readouterr().err)
    stdlib = next(line for line in lines if line["event"] == "worker w-1 stopped")
    assert stdlib["request_id"] == "req-42"
    assert stdlib["level"] == "warning" and stdlib["logger"] == "uvicorn.error"
    native = next(line for line in lines if line["event"] == "job ended")
    assert native["request_id"] == "req-42" and native["status"] == "SUCCEEDED"


def test_set_up_twice_writes_each_line_once(
    json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", json=True)
    logging.getLogger("dramatiq.worker").info("once")
    assert [line["event"] for line in _objects(capsys.readouterr().err)] == ["once"]
