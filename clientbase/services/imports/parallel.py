"""Processes that normalise a large import's rows beside the worker.

Normalising a row (e-mail, phone, tax id, name keys, the service's checks) is pure Python
and costs more than writing it; in the worker's own threads it holds the interpreter lock
the writes need too. Large files send it to a pool of processes instead, which also puts
a server's other cores to work. Small files are not worth a process start.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

# Fewer data rows than this are normalised in the worker's thread.
PARALLEL_FROM_ROWS = 20_000


def default_processes() -> int:
    """One process per CPU but the worker's own."""
    return max(1, (os.cpu_count() or 1) - 1)


@contextlib.contextmanager
def normaliser_pool(total_rows: int, processes: int) -> Iterator[Executor | None]:
    """A pool for `total_rows` rows, or None when the rows are better done in-thread."""
    if processes < 1 or total_rows < PARALLEL_FROM_ROWS:
        yield None
        return
    # Spawned, not forked: the worker has threads and an event loop a fork would copy.
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
