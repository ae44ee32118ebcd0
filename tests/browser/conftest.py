"""A real API (uvicorn, console on) and a real worker as child processes, and headless
Chromium driven by Playwright. Without Chromium the tests skip, except under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clientbase.core.devstack import free_port

CHROMIUM = Path(os.environ.get("CLIENTBASE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]


def artifacts_dir() -> Path:
    directory = Path(os.environ.get("CLIENTBASE_ARTIFACTS_DIR") or ROOT / ".artifacts")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _require_chromium() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed (make .venv/.installed)"
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {problem}")
    pytest.skip(problem)


def _wait_ready(process: subprocess.Popen[bytes], base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the API did not become ready")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def servers() -> Iterator[str]:
    """The base URL of an API with the console on, and a worker beside it."""
    _require_chromium()
    from clientbase.workers.actors import broker

    broker.flush_all()  # messages other tests left would only slow the worker down
    port = free_port()
    env = {**os.environ, "CLIENTBASE_CONSOLE": "1", "CLIENTBASE_LOG_LEVEL": "WARNING"}
    api = subprocess.Popen(
        [sys.executable, "-m", "clientbase", "serve", "--port", str(port)], env=env
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "clientbase", "worker", "--processes", "1", "--threads", "2"],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(api, base)
        yield base
    finally:
        _stop(api)
        _stop(worker)


@pytest.fixture
async def browser_page(tmp_path: Path) -> AsyncIterator[Any]:
    """A page of a fresh Chromium profile; console errors and page errors fail the test."""
    _require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.problems = problems
            yield page
        finally:
            await context.close()
