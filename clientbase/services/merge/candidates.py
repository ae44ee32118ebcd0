"""duplicateCandidateResolve(MERGE): merge a reviewed pair. The older customer survives (by
creation time, then id): it is the one other systems have known longest, and the choice is
predictable before the click."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer
from clientbase.models.customer_merge import CustomerMerge
from clientbase.models.duplicate_candidate import CandidateStatus, DuplicateCandidate
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import DomainError, ErrorCode, Problem, problem
from clientbase.services.merge import service
from clientbase.services.merge.plan import MergeRequest


async def merge_pair(
    session: AsyncSession, actor: Principal, candidate_id: uuid.UUID
) -> tuple[DuplicateCandidate, CustomerMerge]:
    """Merge the pair's newer customer into the older one; the pair becomes MERGED."""
    candidate = await session.scalar(
        select(DuplicateCandidate).where(DuplicateCandidate.id == candidate_id)
        .with_for_update().execution_options(populate_existing=True)
    )  # fmt: skip
    if candidate is None:
        raise problem("id", ErrorCode.NOT_FOUND, "No DuplicateCandidate with this id.")
    if candidate.status == CandidateStatus.MERGED.value:
        raise problem("id", ErrorCode.INVALID_STATE, "The pair was merged already.")
    pair = (await session.execute(
        select(Customer.id, Customer.created_at)
        .where(Customer.id.in_([candidate.customer_a_id, candidate.customer_b_id]))
        .order_by(Customer.created_at, Customer.id)
    )).all()  # fmt: skip
    if len(pair) != 2:
        raise problem("id", ErrorCode.NOT_FOUND, "A customer of this pair no longer exists.")
    survivor, merged = pair[0].id, pair[1].id
    try:
        merge = await service.merge(session, actor, MergeRequest(survivor, [merged]))
    except DomainError as error:
        # The merge's own arguments mean nothing to this caller: the pair is what it named.
        raise DomainError([Problem(("id",), p.code, p.message) for p in error.problems]) from error
    await session.refresh(candidate)
    return candidate, merge
