"""Start an import or a rollback (a QUEUED IMPORT job, sent by the caller after commit),
and read an import's outcome: its row errors and its error report."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.import_row_error import ImportRowError
from clientbase.models.job import Job, JobKind
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import DomainError, ErrorCode, Problem, problem
from clientbase.services.files import service as files
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.duplicates import DuplicatePolicy
from clientbase.services.imports.entities.base import ImportMode
from clientbase.services.imports.mapping import field_named
from clientbase.services.imports.params import ImportParams
from clientbase.services.jobs import service as jobs
from clientbase.services.query.pagination import SortKey

ROW_ERROR_SORT = [SortKey(ImportRowError.row_number, "row_number"),
                  SortKey(ImportRowError.id, "id")]  # fmt: skip
MAX_MAPPING = 200


def _check_mapping(entity: ImportEntity, mapping: Mapping[str, str | None] | None) -> None:
    if mapping is None:
        return
    if len(mapping) > MAX_MAPPING:
        raise problem("mapping", ErrorCode.LIMIT_EXCEEDED, f"At most {MAX_MAPPING} columns.")
    problems = [
        Problem(("mapping", str(index), "field"), ErrorCode.INVALID,
                f"{field!r} is not a field of {entity.value}.")
        for index, field in enumerate(mapping.values())
        if field is not None and field_named(entity, field) is None
    ]  # fmt: skip
    if problems:
        raise DomainError(problems)


def _check_duplicate_policy(entity: ImportEntity, policy: str | None) -> None:
    if policy is None:
        return
    names = ", ".join(DuplicatePolicy)
    if policy not in DuplicatePolicy.__members__:
        raise problem("duplicatePolicy", ErrorCode.INVALID, f"One of {names}.")
    if policy != DuplicatePolicy.CREATE and entity is not ImportEntity.CUSTOMERS:
        raise problem("duplicatePolicy", ErrorCode.INVALID,
                      "Duplicates are looked for among customers only.")  # fmt: skip


async def start_import(
    session: AsyncSession,
    actor: Principal,
    *,
    file_id: uuid.UUID,
    entity: ImportEntity,
    mode: ImportMode,
    dry_run: bool = False,
    file_format: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    duplicate_policy: str | None = None,
) -> Job:
    """A QUEUED import job of an uploaded file; `duplicate_policy` (CREATE, SKIP, FLAG)
    says what becomes of new customers that are likely duplicates of stored ones."""
    if await files.get_file(session, file_id) is None:
        raise problem("fileId", ErrorCode.NOT_FOUND, "No File with this id.")
    _check_mapping(entity, mapping)
    _check_duplicate_policy(entity, duplicate_policy)
    params = ImportParams(
        file_id=file_id, entity=entity, mode=mode, dry_run=dry_run, format=file_format,
        mapping=dict(mapping) if mapping is not None else None,
        duplicate_policy=duplicate_policy, actor_kind=actor.actor_kind,
        actor_id=actor.actor_id, actor_label=actor.label,
    )  # fmt: skip
    return await jobs.create_job(session, actor, JobKind.IMPORT.value, params.to_json())


async def start_rollback(session: AsyncSession, actor: Principal, job_id: uuid.UUID) -> Job:
    """A QUEUED job undoing the finished, real (not dry-run) import `job_id`."""
    target = await jobs.get(session, job_id)
    if target is None or target.kind != JobKind.IMPORT.value:
        raise problem("jobId", ErrorCode.NOT_FOUND, "No import Job with this id.")
    params = target.params
    if params.get("operation", "IMPORT") != "IMPORT" or params.get("dryRun"):
        message = "Only a real import can be rolled back, not a dry run or a rollback."
        raise problem("jobId", ErrorCode.INVALID_STATE, message)
    if not jobs.is_final(target):
        raise problem("jobId", ErrorCode.INVALID_STATE, "The import has not ended yet.")
    rollback: dict[str, Any] = {
        "operation": "ROLLBACK", "jobId": str(job_id), "actorKind": actor.actor_kind,
        "actorId": actor.actor_id, "actorLabel": actor.label,
    }  # fmt: skip
    return await jobs.create_job(session, actor, JobKind.IMPORT.value, rollback)


def row_errors_query(job_id: uuid.UUID) -> Select[Any]:
    return select(ImportRowError).where(ImportRowError.job_id == job_id)


def error_report_file_id(job: Job) -> uuid.UUID | None:
    """The error report of an ended import, if its rows had errors."""
    value = (job.checkpoint or {}).get("errorReportFileId")
    return uuid.UUID(value) if job.kind == JobKind.IMPORT.value and value else None
