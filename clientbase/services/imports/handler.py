"""The IMPORT job kind: registered with the job runner when this module is imported.

Import jobs have two operations, chosen by params["operation"]: IMPORT (a file) and
ROLLBACK (undo what an earlier import job changed).
"""

from __future__ import annotations

from clientbase.core.config import get_settings
from clientbase.models.job import JobKind
from clientbase.services.files import service as files
from clientbase.services.imports.parallel import default_processes
from clientbase.services.imports.params import FileStore
from clientbase.services.imports.pipeline import run_import
from clientbase.services.imports.rollback import run_rollback
from clientbase.services.jobs.runner import JobCancelled, JobRun, register_handler
from clientbase.services.jobs.stopping import JobInterrupted

FILES = FileStore(open_chunks=files.open_chunks, store_stream=files.store_stream)


async def handle_import(run: JobRun) -> None:
    if run.params.get("operation") == "ROLLBACK":
        cancelled = await run_rollback(run)
    else:
        configured = get_settings().import_processes
        processes = default_processes() if configured is None else configured
        outcome = await run_import(run, FILES, processes)
        if outcome.interrupted:
            raise JobInterrupted
        cancelled = outcome.cancelled
    if cancelled:
        raise JobCancelled


register_handler(JobKind.IMPORT.value, handle_import)
