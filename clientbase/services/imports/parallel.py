"""Processes that normalise a large import's rows beside the worker.

Normalising a row (e-mail, phone, tax id, name keys, the service's checks) is pure Python
and costs more than writing it, so large files send it to a pool (services/processes).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from clientbase.services.processes import default_processes, process_pool

__all__ = ["PARALLEL_FROM_ROWS", "default_processes", "normaliser_pool"]

# Fewer data rows than this are normalised in the worker's thread.
PARALLEL_FROM_ROWS = 20_000


@contextmanager
def normaliser_pool(total_rows: int, processes: int) -> Iterator[Executor | None]:
    """A pool for `total_rows` rows, or None when the rows are better done in-thread."""
    with process_pool(total_rows, processes, PARALLEL_FROM_ROWS) as pool:
        yield pool
