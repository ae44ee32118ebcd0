"""Process pools for pure-Python work large enough to move off a worker's event loop.

Normalising an import's rows or scoring a scan's pairs is pure Python; in the worker's own
threads it holds the interpreter lock the database I/O needs too. Large jobs send it to a
pool of processes instead, which also puts a server's other cores to work. Small jobs are
not worth a process start.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor


def default_processes() -> int:
    """One process per CPU but the worker's own."""
    return max(1, (os.cpu_count() or 1) - 1)


@contextlib.contextmanager
def process_pool(size: int, processes: int, minimum: int) -> Iterator[Executor | None]:
    """A pool of `processes` for a job of `size`, or None below `minimum` or with none."""
    if processes < 1 or size < minimum:
        yield None
        return
    # Spawned, not forked: the worker has threads and an event loop a fork would copy.
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


@contextlib.contextmanager
def process_lanes(size: int, processes: int, minimum: int) -> Iterator[list[Executor]]:
    """`processes` pools of one process each for a job of `size` (none below `minimum`): a
    lane runs its tasks one at a time in the order sent, so a task may leave state in its
    process for the lane's next one."""
    if processes < 1 or size < minimum:
        yield []
        return
    lanes = [ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
             for _ in range(processes)]  # fmt: skip
    try:
        yield list(lanes)
    finally:
        for lane in lanes:
            lane.shutdown(wait=False, cancel_futures=True)
