"""Customer fields: lists, lookup by code, and the create/update/delete/upsert mutations."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.common import (
    Connection,
    DeletePayload,
    order_pairs,
    page_request,
    provided,
    user_errors,
)
from clientbase.schema.customer import (
    Customer,
    CustomerFilter,
    CustomerOrder,
    CustomerPayload,
)
from clientbase.schema.customer_inputs import (
    CustomerCreateInput,
    CustomersUpsertPayload,
    CustomerUpdateInput,
    CustomerUpsertInput,
    CustomerUpsertResult,
    ErrorPolicy,
    UpsertAction,
    create_fields,
    customer_data,
)
from clientbase.schema.duplicates import DuplicateMatch, warnings
from clientbase.schema.filters import filter_tree
from clientbase.schema.lists import Info, root_connection
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.customer import queries
from clientbase.services.customer import service as customers
from clientbase.services.customer.upsert import UpsertResult, upsert_many
from clientbase.services.dedupe.service import DuplicateCheck
from clientbase.services.errors import DomainError

CONFIRM = "Save even if the tenant's duplicate rule blocks a customer this alike."
ARGUMENTS = frozenset({"id", "expectedVersion", "confirmDuplicate"})


def _payload(outcome: Any, check: DuplicateCheck | None = None) -> CustomerPayload:
    customer = Customer.from_row(outcome.value) if outcome.value is not None else None
    found = check.warnings if check is not None and customer is not None else []
    return CustomerPayload(
        customer=customer,
        user_errors=outcome.errors,
        warnings=warnings(found),
        duplicates=[DuplicateMatch.from_found(f) for f in found],
    )


@strawberry.type
class CustomerQueries:
    @strawberry.field(description="Customers, filtered and ordered; `search` is a keyword filter.")
    async def customers(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        filter: CustomerFilter | None = None, order_by: list[CustomerOrder] | None = None,
        search: str | None = None,
    ) -> Connection[Customer]:  # fmt: skip
        return await root_connection(
            info,
            queries.list_query(filter_tree(filter), search),
            queries.sort_keys(order_pairs(order_by)),
            page_request(first, after, last, before),
            Customer.from_row,
        )

    @strawberry.field(description="The customer with this code, if any.")
    async def customer_by_code(self, info: Info, code: str) -> Customer | None:
        ctx = info.context
        async with ctx.session_lock:
            row = await ctx.session.scalar(
                select(models.Customer).where(models.Customer.code == code)
            )
        return Customer.from_row(row) if row is not None else None


def _upsert_item(item: CustomerUpsertInput) -> dict[str, Any]:
    fields = provided(item)
    fields.pop("confirm_duplicate", None)
    return customer_data({"code": item.code, "legal_name": item.legal_name, **fields})


def _upsert_result(result: UpsertResult, check: DuplicateCheck, committed: bool) -> Any:
    found = check.warnings if committed and result.customer is not None else []
    return CustomerUpsertResult(
        index=result.index,
        customer=Customer.from_row(result.customer) if result.customer and committed else None,
        action=UpsertAction(result.action.value) if result.action and committed else None,
        user_errors=user_errors(result.error, "inputs", str(result.index)) if result.error else [],
        warnings=warnings(found),
        duplicates=[DuplicateMatch.from_found(f) for f in found],
    )


@strawberry.type
class CustomerMutations:
    @strawberry.mutation(description="All or nothing: nested contacts, sites and contracts too.")
    async def customer_create(
        self, info: Info, input: CustomerCreateInput,
        confirm_duplicate: Annotated[bool, strawberry.argument(description=CONFIRM)] = False,
    ) -> CustomerPayload:  # fmt: skip
        check = DuplicateCheck(confirmed=confirm_duplicate)

        async def work(session: AsyncSession, actor: Principal) -> models.Customer:
            fields, children = create_fields(input)
            return await customers.create(session, actor, customer_data(fields), children, check)

        return _payload(await run_mutation(info, Role.EDITOR, work, arguments=ARGUMENTS), check)

    @strawberry.mutation
    async def customer_update(
        self, info: Info, id: strawberry.ID, input: CustomerUpdateInput,
        expected_version: int | None = None,
        confirm_duplicate: Annotated[bool, strawberry.argument(description=CONFIRM)] = False,
    ) -> CustomerPayload:  # fmt: skip
        check = DuplicateCheck(confirmed=confirm_duplicate)

        async def work(session: AsyncSession, actor: Principal) -> models.Customer:
            row_id = decode_id(id, "Customer")
            return await customers.update(session, actor, row_id, customer_data(provided(input)),
                                          expected_version, check)  # fmt: skip

        return _payload(await run_mutation(info, Role.EDITOR, work, arguments=ARGUMENTS), check)

    @strawberry.mutation
    async def customer_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work(session: AsyncSession, actor: Principal) -> None:
            await customers.delete(session, actor, decode_id(id, "Customer"))

        outcome = await run_mutation(info, Role.EDITOR, work, deleting=True)
        return DeletePayload(deleted_id=None if outcome.errors else id, user_errors=outcome.errors)

    @strawberry.mutation(description="At most 100 items; a result per item, in input order.")
    async def customers_upsert(
        self, info: Info, inputs: list[CustomerUpsertInput],
        error_policy: ErrorPolicy = ErrorPolicy.REJECT_ALL,
    ) -> CustomersUpsertPayload:  # fmt: skip
        reject_all = error_policy is ErrorPolicy.REJECT_ALL
        checks = [DuplicateCheck(confirmed=item.confirm_duplicate) for item in inputs]

        async def work(session: AsyncSession, actor: Principal) -> list[UpsertResult]:
            items = []
            for index, item in enumerate(inputs):
                try:
                    items.append(_upsert_item(item))
                except DomainError as error:
                    raise error.under("inputs", str(index)) from error
            return await upsert_many(session, actor, items, checks)

        def all_good(results: list[UpsertResult]) -> bool:
            return not reject_all or all(r.error is None for r in results)

        outcome = await run_mutation(info, Role.EDITOR, work, prefix=(),
                                     commit_if=all_good)  # fmt: skip
        results = outcome.value or []
        committed = bool(outcome.value is not None and all_good(results))
        return CustomersUpsertPayload(
            results=[_upsert_result(r, checks[r.index], committed) for r in results],
            committed=committed,
            user_errors=outcome.errors,
        )
