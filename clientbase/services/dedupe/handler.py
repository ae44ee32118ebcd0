"""The DUPLICATE_SCAN job kind: registered with the job runner when this module is imported."""

from __future__ import annotations

import os

from clientbase.core.config import get_settings
from clientbase.models.job import JobKind
from clientbase.services.dedupe.scan import run_scan
from clientbase.services.jobs.runner import JobCancelled, JobRun, register_handler


def scoring_processes() -> int:
    """One per CPU: the worker's own thread only reads and stores while they score."""
    return os.cpu_count() or 1


async def handle_scan(run: JobRun) -> None:
    configured = get_settings().scan_processes
    processes = scoring_processes() if configured is None else configured
    if (await run_scan(run, processes)).cancelled:
        raise JobCancelled


register_handler(JobKind.DUPLICATE_SCAN.value, handle_scan)
