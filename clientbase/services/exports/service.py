"""Start an export (a QUEUED EXPORT job, sent by the caller after commit), and read where
a finished one's file is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.job import Job, JobKind, JobStatus
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.exports.catalog import (
    ExportEntity,
    ExportFormat,
    parse_entity,
    resolve_columns,
)
from clientbase.services.exports.params import ExportParams, ExportResult, filename_for
from clientbase.services.exports.query import check_filter
from clientbase.services.jobs import service as jobs
from clientbase.services.query.filters import Filter, to_json

MAX_SEARCH = 200


async def start_export(
    session: AsyncSession,
    actor: Principal,
    *,
    entity: ExportEntity | str,
    file_format: ExportFormat | str,
    filter_tree: Filter | None = None,
    columns: Sequence[str] | None = None,
    search: str | None = None,
    bom: bool = False,
) -> Job:
    """A QUEUED export job; entity, columns and filter are checked now, so that a mistake is
    the caller's problem at once rather than a failed job later."""
    chosen = entity if isinstance(entity, ExportEntity) else parse_entity(entity)
    try:
        output = ExportFormat(str(file_format).upper())
    except ValueError:
        known = ", ".join(f.value for f in ExportFormat)
        raise problem("format", ErrorCode.INVALID, f"{file_format!r} is not one of {known}."
                      ) from None  # fmt: skip
    if bom and output is not ExportFormat.CSV:
        raise problem("bom", ErrorCode.INVALID, "A byte order mark applies to CSV only.")
    if search is not None and len(search) > MAX_SEARCH:
        raise problem("search", ErrorCode.LIMIT_EXCEEDED, f"At most {MAX_SEARCH} characters.")
    names = resolve_columns(chosen, columns)
    check_filter(chosen, filter_tree, search)
    stored: dict[str, Any] | None = to_json(filter_tree) if filter_tree else None
    params = ExportParams(entity=chosen, format=output, columns=names, filter=stored,
                          search=search or None, bom=bom,
                          filename=filename_for(chosen, output, datetime.now(UTC)))  # fmt: skip
    return await jobs.create_job(session, actor, JobKind.EXPORT.value, params.to_json())


def result_of(job: Job) -> ExportResult | None:
    """The file a successful export produced, if this job is one."""
    if job.kind != JobKind.EXPORT.value or job.status != JobStatus.SUCCEEDED:
        return None
    return ExportResult.from_checkpoint(job.checkpoint)
