"""Export mutations: start an export of an entity's filtered rows as a background job."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.job import enqueue_after_commit
from clientbase.resolvers.mutation import run_mutation
from clientbase.schema.exports import ExportStartInput, export_filter_tree
from clientbase.schema.job import Job, JobPayload
from clientbase.schema.lists import Info
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.exports import service as exports
from clientbase.services.exports.catalog import ExportEntity, ExportFormat


@strawberry.type
class ExportMutations:
    @strawberry.mutation(
        description="Export an entity's rows (the connection's filter and search) as a "
        "background job; the Job's downloadUrl gives the file once it succeeded."
    )
    async def export_start(self, info: Info, input: ExportStartInput) -> JobPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.Job:
            entity = ExportEntity(input.entity)
            job = await exports.start_export(
                session, actor, entity=entity, file_format=ExportFormat(input.format),
                filter_tree=export_filter_tree(entity, input.filter), columns=input.columns,
                search=input.search, bom=input.bom,
            )  # fmt: skip
            await enqueue_after_commit(info, job)
            return job

        outcome = await run_mutation(info, Role.READER, work)
        job = Job.from_row(outcome.value) if outcome.value is not None else None
        return JobPayload(job=job, user_errors=outcome.errors)
