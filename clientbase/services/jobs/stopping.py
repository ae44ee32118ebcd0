"""The worker process's request to stop, which long handlers read between chunks.

A worker told to shut down (SIGTERM) sets it; an import then stops after its current
chunk commits, leaving the job resumable from that checkpoint, instead of holding the
shutdown for minutes or dying mid-chunk when the grace period ends.
"""

from __future__ import annotations

import threading

_STOP = threading.Event()


class JobInterrupted(Exception):  # noqa: N818 - named for what happened, like JobCancelled
    """Raised by a handler that stopped at a checkpoint because the process is stopping."""


def request_stop() -> None:
    _STOP.set()


def clear_stop() -> None:
    """Forget the request (a worker started again in the same process, as tests do)."""
    _STOP.clear()


def stop_requested() -> bool:
    return _STOP.is_set()
