"""The embedded servers: start, restart on the same ports, stop, and clean up after a killed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from clientbase.core.devstack import DevStack, port_is_free


@pytest.fixture
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("devstack")
    yield path
    DevStack.in_directory(path).stop()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_start_stop_and_restart_keep_the_ports(data_dir: Path) -> None:
    stack = DevStack.in_directory(data_dir)
    stack.start()
    assert stack.postgres is not None and stack.redis is not None
    ports = (stack.postgres.port, stack.redis.port)
    try:
        assert stack.postgres.is_running()
        assert not port_is_free(ports[0]) and not port_is_free(ports[1])
    finally:
        stack.stop()
    assert not stack.postgres.is_running()
    assert port_is_free(ports[0]) and port_is_free(ports[1])

    again = DevStack.in_directory(data_dir)
    again.start()
    try:
        assert again.postgres is not None and again.redis is not None
        assert (again.postgres.port, again.redis.port) == ports
    finally:
        again.stop()


def test_a_command_attaches_to_the_running_servers_redis_included(data_dir: Path) -> None:
    running = DevStack.in_directory(data_dir)
    running.start()
    try:
        assert running.postgres is not None and running.redis is not None
        command = DevStack.in_directory(data_dir)
        with command.attached() as attached:
            # Both servers of the running stack, so an import or export can send its job.
            assert attached.postgres is not None and attached.redis is not None
            assert attached.redis.url == running.redis.url
        assert running.postgres.is_running() and running.redis.is_running()
    finally:
        running.stop()


def test_servers_of_a_killed_run_are_stopped_or_replaced(data_dir: Path) -> None:
    # A launcher killed with -9: its children get their parent-death signal, and a
    # later start finds nothing running or stops what is left.
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from clientbase.core.devstack import DevStack
        stack = DevStack.in_directory(Path({str(data_dir)!r}))
        stack.start()
        print(stack.postgres._process.pid, stack.redis._process.pid, flush=True)
        time.sleep(600)
        """
    )
    launcher = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert launcher.stdout is not None
    pids = [int(pid) for pid in launcher.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    os.kill(launcher.pid, signal.SIGKILL)
    launcher.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)

    stack = DevStack.in_directory(data_dir)
    stack.start()
    try:
        assert stack.postgres is not None and stack.postgres.is_running()
    finally:
        stack.stop()
