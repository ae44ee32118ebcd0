"""Contract fields: the `contracts` list and the create/update/delete mutations."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.common import Connection, DeletePayload, order_pairs, page_request, provided
from clientbase.schema.contract import (
    Contract,
    ContractCreateInput,
    ContractFilter,
    ContractOrder,
    ContractPayload,
    ContractUpdateInput,
    contract_data,
)
from clientbase.schema.filters import filter_tree
from clientbase.schema.lists import Info, root_connection
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.contract import queries
from clientbase.services.contract import service as contracts


def _payload(outcome: Any) -> ContractPayload:
    contract = Contract.from_row(outcome.value) if outcome.value is not None else None
    return ContractPayload(contract=contract, user_errors=outcome.errors)


@strawberry.type
class ContractQueries:
    @strawberry.field(description="Contracts of every customer; `search` is a keyword filter.")
    async def contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        filter: ContractFilter | None = None, search: str | None = None,
        order_by: list[ContractOrder] | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        return await root_connection(
            info,
            queries.list_query(filter_tree(filter), search),
            queries.sort_keys(order_pairs(order_by)),
            page_request(first, after, last, before),
            Contract.from_row,
        )


@strawberry.type
class ContractMutations:
    @strawberry.mutation
    async def contract_create(self, info: Info, input: ContractCreateInput) -> ContractPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.Contract:
            customer_id = decode_id(input.customer_id, "Customer", "customerId")
            return await contracts.create(session, actor, customer_id, contract_data(input))

        return _payload(await run_mutation(info, Role.EDITOR, work))

    @strawberry.mutation
    async def contract_update(
        self, info: Info, id: strawberry.ID, input: ContractUpdateInput,
        expected_version: int | None = None,
    ) -> ContractPayload:  # fmt: skip
        async def work(session: AsyncSession, actor: Principal) -> models.Contract:
            row_id = decode_id(id, "Contract")
            return await contracts.update(session, actor, row_id, provided(input),
                                          expected_version)  # fmt: skip

        return _payload(await run_mutation(info, Role.EDITOR, work))

    @strawberry.mutation(description="Refused with HAS_DEPENDENTS while inventory is under it.")
    async def contract_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work(session: AsyncSession, actor: Principal) -> None:
            await contracts.delete(session, actor, decode_id(id, "Contract"))

        outcome = await run_mutation(info, Role.EDITOR, work, deleting=True)
        return DeletePayload(deleted_id=None if outcome.errors else id, user_errors=outcome.errors)
