"""`clientbase worker` and `clientbase serve` as child processes a fault test may kill.

Each runs in a session of its own, so kill -9 takes its whole process group (the Dramatiq
worker and the import's normaliser processes too), as a crashed host or container would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from clientbase.core.devstack import free_port

# Fast failure detection, so that each kill costs seconds: a dead worker's message is
# requeued after 2 s, a job silent for 2 s is re-sent by the reconciler every second. (A
# live worker thought dead meanwhile only costs a duplicate message, which finds the job
# claimed and does nothing.)
FAST_RECOVERY = {
    "CLIENTBASE_BROKER_HEARTBEAT_TIMEOUT_SECONDS": "2",
    "CLIENTBASE_BROKER_MAINTENANCE_CHANCE": "1000000",
    "CLIENTBASE_JOB_HEARTBEAT_SECONDS": "0.4",
    "CLIENTBASE_JOB_STALE_AFTER_SECONDS": "2",
    "CLIENTBASE_JOB_RECONCILE_INTERVAL_SECONDS": "1",
    # INFO: the tests read Dramatiq's "ready" and "Shutting down" lines in the log file.
    "CLIENTBASE_LOG_LEVEL": "INFO",
}


def child_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(FAST_RECOVERY)
    env.update(overrides)
    return env


class Child:
    """A child process group with its output in a log file."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """kill -9 of the whole group, at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def terminate(self) -> None:
        """SIGTERM to the main process only, as an orchestrator stopping it would send."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Leave nothing behind: the group is killed if it is still there."""
        if self.alive():
            self.kill()
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)


def start_worker(log: Path, threads: int = 1, **env: str) -> Child:
    argv = [sys.executable, "-m", "clientbase", "worker", "--processes", "1",
            "--threads", str(threads)]  # fmt: skip
    worker = Child(argv, child_env(**env), log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "is ready for action" in worker.tail(20_000):
            return worker
        if not worker.alive():
            raise AssertionError(f"the worker exited at start:\n{worker.tail()}")
        time.sleep(0.1)
    worker.stop()
    raise AssertionError(f"the worker did not start:\n{worker.tail()}")


def start_api(log: Path, port: int | None = None, **env: str) -> tuple[Child, str]:
    port = port or free_port()
    argv = [sys.executable, "-m", "clientbase", "serve", "--port", str(port)]
    api = Child(argv, child_env(**env), log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not api.alive():
            raise AssertionError(f"the API exited at start:\n{api.tail()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return api, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    api.stop()
    raise AssertionError(f"the API did not start:\n{api.tail()}")
