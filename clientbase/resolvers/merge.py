"""customersMerge and customersMergeUndo: parse the ids, call the merge service once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.common import UserError
from clientbase.schema.customer import Customer, CustomerPayload
from clientbase.schema.lists import Info
from clientbase.schema.merge import CustomerMergeOverride, merge_id
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.errors import DomainError
from clientbase.services.merge import service as merges
from clientbase.services.merge import undo as merge_undo
from clientbase.services.merge.plan import MAX_MERGED, MergeRequest, Override, OverrideField

ARGUMENTS = frozenset({"survivorId", "mergedIds", "fieldOverrides", "expectedVersion",
                       "mergedExpectedVersions", "mergeId"})  # fmt: skip


def _customer_id(global_id: str) -> uuid.UUID | None:
    """The row id of a Customer global id; None for anything else (reported as NOT_FOUND)."""
    try:
        return decode_id(global_id, "Customer")  # type: ignore[no-any-return]
    except DomainError:
        return None


def request_of(
    survivor_id: str,
    merged_ids: Sequence[str],
    overrides: list[CustomerMergeOverride] | None,
    expected_version: int | None,
    merged_expected_versions: list[int] | None,
) -> MergeRequest:
    return MergeRequest(
        survivor_id=_customer_id(survivor_id),
        merged_ids=[_customer_id(i) for i in merged_ids],
        overrides=[Override(OverrideField(o.field), _customer_id(o.from_id))
                   for o in overrides or []],
        expected_version=expected_version,
        merged_expected_versions=merged_expected_versions,
    )  # fmt: skip


def _payload(
    customer: models.Customer | None, errors: list[UserError], merge: uuid.UUID | None
) -> CustomerPayload:
    return CustomerPayload(
        customer=Customer.from_row(customer) if customer is not None else None,
        user_errors=errors,
        merge_id=merge_id(merge) if merge is not None else None,
    )


@strawberry.type
class MergeMutations:
    @strawberry.mutation(
        description=f"Merge up to {MAX_MERGED} customers into a survivor, in one transaction: "
        "contacts, sites, contracts and inventory move (sites of the same name become one), "
        "the merged customers become MERGED and point at the survivor. `mergeId` undoes it."
    )
    async def customers_merge(
        self, info: Info, survivor_id: strawberry.ID, merged_ids: list[strawberry.ID],
        field_overrides: Annotated[list[CustomerMergeOverride] | None, strawberry.argument(
            description="Identity fields the survivor takes from a merged customer.")] = None,
        expected_version: Annotated[int | None, strawberry.argument(
            description="The survivor's version the caller saw.")] = None,
        merged_expected_versions: Annotated[list[int] | None, strawberry.argument(
            description="The merged customers' versions, in the order of mergedIds.")] = None,
    ) -> CustomerPayload:  # fmt: skip
        async def work(session: AsyncSession, actor: Principal) -> models.CustomerMerge:
            request = request_of(survivor_id, merged_ids, field_overrides, expected_version,
                                 merged_expected_versions)  # fmt: skip
            return await merges.merge(session, actor, request)

        outcome = await run_mutation(info, Role.EDITOR, work, prefix=(), arguments=ARGUMENTS)
        merge = outcome.value
        survivor = None
        if merge is not None:
            async with info.context.session_lock:
                survivor = await info.context.session.get(models.Customer, merge.survivor_id)
        return _payload(survivor, outcome.errors, merge.id if merge else None)

    @strawberry.mutation(
        description="Undo a merge: everything it moved goes back and the merged customers are "
        "as they were. Refused (MERGE_CHANGED_SINCE) if anything it wrote was written since."
    )
    async def customers_merge_undo(self, info: Info, merge_id: strawberry.ID) -> CustomerPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.Customer:
            return await merge_undo.undo(session, actor, decode_id(merge_id, "CustomerMerge",
                                                               "mergeId"))  # fmt: skip

        outcome = await run_mutation(info, Role.EDITOR, work, prefix=(), arguments=ARGUMENTS)
        undone = None if outcome.value is None else decode_id(merge_id, "CustomerMerge", "mergeId")
        return _payload(outcome.value, outcome.errors, undone)
