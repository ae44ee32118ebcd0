"""`clientbase dev` from a clean data directory: serves the API, and leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from clientbase.core.devstack import free_port

pytestmark = pytest.mark.slow


def _children(pid: int) -> set[int]:
    """Every live descendant of `pid`, read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _launch(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTBASE_")}
    env.update(
        CLIENTBASE_DATA_DIR=str(data_dir), CLIENTBASE_PORT=str(port), CLIENTBASE_LOG_LEVEL="WARNING"
    )
    return subprocess.Popen(
        [sys.executable, "-m", "clientbase", "dev"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for_api(launcher: subprocess.Popen[bytes], base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if launcher.poll() is not None:
            assert launcher.stderr is not None
            pytest.fail(f"launcher exited: {launcher.stderr.read().decode()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("the API did not become ready")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_dev_serves_viewer_with_the_printed_key_and_stops_cleanly(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    launcher = _launch(tmp_path / "data", port)
    descendants: set[int] = set()
    try:
        _wait_for_api(launcher, base)
        secret = (tmp_path / "data" / "dev-api-key").read_text().strip()
        response = httpx.post(
            f"{base}/graphql",
            json={"query": "{ viewer { tenant { name } role } }"},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.json()["data"] == {
            "viewer": {"tenant": {"name": "Development tenant"}, "role": "ADMIN"}
        }
        assert httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}).status_code == 200
        descendants = _children(launcher.pid)
        assert len(descendants) >= 3  # postgres, redis, worker (and their children)
    finally:
        launcher.send_signal(stop_signal)
        code = launcher.wait(timeout=60)
    assert code in (0, 130, -signal.SIGINT)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in descendants) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in descendants if _alive(pid)] == []
    assert launcher.stderr is not None
    assert secret in launcher.stderr.read().decode()  # the banner printed the key
