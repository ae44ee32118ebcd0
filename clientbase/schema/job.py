"""The Job type: a background job's status, progress and outcome; its filter and payload."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from clientbase import models
from clientbase.models.job import JobKind as JobKindValue
from clientbase.models.job import JobStatus as JobStatusValue
from clientbase.schema.common import Connection, Node, UserError
from clientbase.schema.exports import resolve_download_expires_at, resolve_download_url
from clientbase.schema.ids import to_global_id
from clientbase.schema.imports import ImportRowError, resolve_error_report_url, resolve_row_errors
from clientbase.schema.lists import Info, by_ids
from clientbase.schema.node import register_node
from clientbase.services.jobs import service as jobs

JobKind = strawberry.enum(JobKindValue, name="JobKind")
JobStatus = strawberry.enum(JobStatusValue, name="JobStatus")


@strawberry.type(description="Counters of a job's items; `total` is null until known.")
class JobProgress:
    total: int | None
    processed: int
    created: int
    updated: int
    skipped: int
    failed: int
    eta_seconds: int | None = strawberry.field(
        description="Seconds left at the rate so far; null unless running with a known total."
    )


@strawberry.type(description="Background work: an import, export, duplicate scan or merge.")
class Job(Node):
    # Every field is copied from the row at once: a subscription reads a job and ends its
    # transaction before the fields resolve.
    row: strawberry.Private[models.Job]
    kind: JobKind  # type: ignore[valid-type]
    status: JobStatus  # type: ignore[valid-type]
    progress: JobProgress
    cancel_requested: bool = strawberry.field(description="Cancellation asked, not yet seen.")
    error: str | None = strawberry.field(description="Why the job failed, if it did.")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    # Import jobs (schema/imports.py); empty or null for other kinds.
    row_errors: Connection[ImportRowError] = strawberry.field(resolver=resolve_row_errors)
    error_report_url: str | None = strawberry.field(resolver=resolve_error_report_url)
    # Export jobs (schema/exports.py); null for other kinds.
    download_url: str | None = strawberry.field(
        resolver=resolve_download_url,
        description="Export: the file, once the job succeeded (GET, same tenant only).",
    )
    download_expires_at: dt.datetime | None = strawberry.field(
        resolver=resolve_download_expires_at,
        description="Export: when the download link stops working (410 after).",
    )

    @classmethod
    def from_row(cls, row: models.Job) -> Job:
        return cls(
            id=strawberry.ID(to_global_id("Job", row.id)),
            row=row,
            kind=JobKindValue(row.kind),
            status=JobStatusValue(row.status),
            progress=JobProgress(
                total=row.total,
                processed=row.processed,
                created=row.created,
                updated=row.updated,
                skipped=row.skipped,
                failed=row.failed,
                eta_seconds=jobs.eta_seconds(row),
            ),
            cancel_requested=row.cancel_requested,
            error=row.error,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )

    @property
    def row_id(self) -> uuid.UUID:
        return self.row.id


@strawberry.input
class JobKindFilter:
    eq: JobKind | None = None  # type: ignore[valid-type]
    in_: list[JobKind] | None = strawberry.field(default=None, name="in")  # type: ignore[valid-type]


@strawberry.input
class JobStatusFilter:
    eq: JobStatus | None = None  # type: ignore[valid-type]
    in_: list[JobStatus] | None = strawberry.field(default=None, name="in")  # type: ignore[valid-type]


@strawberry.input(description="Conditions on jobs; all given ones must hold.")
class JobFilter:
    kind: JobKindFilter | None = None
    status: JobStatusFilter | None = None


@strawberry.type
class JobPayload:
    job: Job | None
    user_errors: list[UserError]


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.Job, ids, Job.from_row)


register_node("Job", _load)
