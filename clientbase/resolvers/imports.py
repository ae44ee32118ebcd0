"""Import mutations: start an import of an uploaded file, or roll a finished one back."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.job import enqueue_after_commit
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.imports import ImportStartInput
from clientbase.schema.job import Job, JobPayload
from clientbase.schema.lists import Info
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.imports import service as imports
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import ImportMode
from clientbase.services.imports.sniff import FileFormat


def _payload(outcome_value: models.Job | None, errors: list[object]) -> JobPayload:
    job = Job.from_row(outcome_value) if outcome_value is not None else None
    return JobPayload(job=job, user_errors=errors)  # type: ignore[arg-type]


@strawberry.type
class ImportMutations:
    @strawberry.mutation(description="Import an uploaded file as a background job.")
    async def import_start(self, info: Info, input: ImportStartInput) -> JobPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.Job:
            mapping = None
            if input.mapping is not None:
                mapping = {item.column: item.field for item in input.mapping}
            job = await imports.start_import(
                session, actor, file_id=decode_id(input.file_id, "File", "fileId"),
                entity=ImportEntity(input.entity), mode=ImportMode(input.mode),
                dry_run=input.dry_run,
                file_format=FileFormat(input.format).value if input.format is not None else None,
                mapping=mapping, duplicate_policy=input.duplicate_policy,
            )  # fmt: skip
            await enqueue_after_commit(info, job)
            return job

        outcome = await run_mutation(info, Role.EDITOR, work)
        return _payload(outcome.value, list(outcome.errors))

    @strawberry.mutation(
        description="Undo a finished import: delete what it created, restore what it updated, "
        "except records changed since (reported as the rollback job's row errors)."
    )
    async def import_rollback(self, info: Info, job_id: strawberry.ID) -> JobPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.Job:
            job = await imports.start_rollback(session, actor, decode_id(job_id, "Job", "jobId"))
            await enqueue_after_commit(info, job)
            return job

        outcome = await run_mutation(info, Role.EDITOR, work, arguments=frozenset({"jobId"}))
        return _payload(outcome.value, list(outcome.errors))
