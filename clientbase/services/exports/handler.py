"""The EXPORT job kind: registered with the job runner when this module is imported."""

from __future__ import annotations

from datetime import timedelta

from clientbase.core.config import get_settings
from clientbase.models.job import JobKind
from clientbase.services.exports.pipeline import ExportLimits, run_export
from clientbase.services.jobs.runner import JobRun, register_handler


async def handle_export(run: JobRun) -> None:
    settings = get_settings()
    limits = ExportLimits(timedelta(seconds=settings.export_link_seconds),
                          settings.export_max_bytes)  # fmt: skip
    await run_export(run, limits)


register_handler(JobKind.EXPORT.value, handle_export)
