"""Duplicate fields: customerDuplicates (asked before a create), the tenant scan, and the
candidate pairs it writes: listed best first, dismissed one by one."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.job import enqueue_after_commit
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.common import Connection, page_request
from clientbase.schema.duplicates import (
    CustomerProbe,
    DuplicateCandidate,
    DuplicateCandidateFilter,
    DuplicateCandidatePayload,
    DuplicateMatch,
    DuplicateResolution,
    DuplicateScanInput,
    probe_values,
)
from clientbase.schema.job import Job, JobPayload
from clientbase.schema.lists import Info, root_connection
from clientbase.schema.merge import merge_id
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.dedupe import candidates
from clientbase.services.dedupe import service as dedupe
from clientbase.services.merge.candidates import merge_pair

_Resolved = tuple[models.DuplicateCandidate, models.CustomerMerge | None]


@strawberry.type
class DuplicateQueries:
    @strawberry.field(
        description="Does this customer exist already? The customers a probe matches in the "
        f"review band or above, best first (at most {dedupe.MAX_MATCHES}), with the reasons."
    )
    async def customer_duplicates(self, info: Info, probe: CustomerProbe) -> list[DuplicateMatch]:
        values, contacts = probe_values(probe)
        exclude = decode_id(probe.exclude_id, "Customer", "excludeId") if probe.exclude_id else None
        ctx = info.context
        async with ctx.session_lock:
            found = await dedupe.customer_duplicates(
                ctx.session, ctx.tenant_id, values, contacts, exclude
            )
        return [DuplicateMatch.from_found(f) for f in found]

    @strawberry.field(description="Candidate pairs from duplicate scans, best first.")
    async def duplicate_candidates(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: DuplicateCandidateFilter | None = None,
    ) -> Connection[DuplicateCandidate]:  # fmt: skip
        given = filter or DuplicateCandidateFilter()
        stmt = candidates.list_query(
            status=given.status.value if given.status else None,
            band=given.band.value if given.band else None,
            customer_id=decode_id(given.customer_id, "Customer", "customerId")
            if given.customer_id else None,
            cluster_id=decode_id(given.cluster_id, "DuplicateCluster", "clusterId")
            if given.cluster_id else None,
            min_score=given.min_score,
        )  # fmt: skip
        return await root_connection(
            info, stmt, candidates.sort_keys(), page_request(first, after),
            DuplicateCandidate.from_row,
        )  # fmt: skip


@strawberry.type
class DuplicateMutations:
    @strawberry.mutation(description="Scan the tenant for duplicate customers, as a job.")
    async def duplicate_scan_start(
        self, info: Info, input: DuplicateScanInput | None = None
    ) -> JobPayload:
        only_changed = bool(input and input.only_changed)

        async def work(session: AsyncSession, actor: Principal) -> models.Job:
            job = await candidates.start_scan(session, actor, only_changed)
            await enqueue_after_commit(info, job)
            return job

        outcome = await run_mutation(info, Role.EDITOR, work)
        job = Job.from_row(outcome.value) if outcome.value is not None else None
        return JobPayload(job=job, user_errors=outcome.errors)

    @strawberry.mutation(
        description="DISMISS: not the same customer; not proposed again unless either changes. "
        "MERGE: the newer customer is merged into the older one (customersMerge), and the "
        "pair becomes MERGED; the payload's mergeId undoes it."
    )
    async def duplicate_candidate_resolve(
        self, info: Info, id: strawberry.ID, resolution: DuplicateResolution
    ) -> DuplicateCandidatePayload:
        async def work(session: AsyncSession, actor: Principal) -> _Resolved:
            candidate_id = decode_id(id, "DuplicateCandidate")
            if resolution is DuplicateResolution.MERGE:
                return await merge_pair(session, actor, candidate_id)
            return await candidates.dismiss(session, actor, candidate_id), None

        outcome = await run_mutation(info, Role.EDITOR, work,
                                     arguments=frozenset({"id", "resolution"}))  # fmt: skip
        row, merge = outcome.value if outcome.value is not None else (None, None)
        return DuplicateCandidatePayload(
            duplicate_candidate=DuplicateCandidate.from_row(row) if row is not None else None,
            user_errors=outcome.errors,
            merge_id=merge_id(merge.id) if merge is not None else None,
        )
