"""The DUPLICATE_SCAN job kind: registered with the job runner when this module is imported."""

from __future__ import annotations

from clientbase.models.job import JobKind
from clientbase.services.dedupe.scan import run_scan
from clientbase.services.jobs.runner import JobCancelled, JobRun, register_handler


async def handle_scan(run: JobRun) -> None:
    if (await run_scan(run)).cancelled:
        raise JobCancelled


register_handler(JobKind.DUPLICATE_SCAN.value, handle_scan)
