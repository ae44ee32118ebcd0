"""Contact fields: the `contacts` list and the create/update/delete mutations."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.common import Connection, DeletePayload, order_pairs, page_request, provided
from clientbase.schema.contact import (
    Contact,
    ContactCreateInput,
    ContactFilter,
    ContactOrder,
    ContactPayload,
    ContactUpdateInput,
    contact_data,
)
from clientbase.schema.filters import filter_tree
from clientbase.schema.lists import Info, root_connection
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.contact import queries
from clientbase.services.contact import service as contacts


def _payload(outcome: Any) -> ContactPayload:
    contact = Contact.from_row(outcome.value) if outcome.value is not None else None
    return ContactPayload(contact=contact, user_errors=outcome.errors)


@strawberry.type
class ContactQueries:
    @strawberry.field(description="Contacts of every customer; `search` is a keyword filter.")
    async def contacts(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        filter: ContactFilter | None = None, search: str | None = None,
        order_by: list[ContactOrder] | None = None,
    ) -> Connection[Contact]:  # fmt: skip
        return await root_connection(
            info,
            queries.list_query(filter_tree(filter), search),
            queries.sort_keys(order_pairs(order_by)),
            page_request(first, after, last, before),
            Contact.from_row,
        )


@strawberry.type
class ContactMutations:
    @strawberry.mutation(description="isPrimary true demotes the customer's current primary.")
    async def contact_create(self, info: Info, input: ContactCreateInput) -> ContactPayload:
        async def work(session: AsyncSession, actor: Principal) -> models.Contact:
            customer_id = decode_id(input.customer_id, "Customer", "customerId")
            return await contacts.create(session, actor, customer_id, contact_data(input))

        return _payload(await run_mutation(info, Role.EDITOR, work))

    @strawberry.mutation
    async def contact_update(
        self, info: Info, id: strawberry.ID, input: ContactUpdateInput,
        expected_version: int | None = None,
    ) -> ContactPayload:  # fmt: skip
        async def work(session: AsyncSession, actor: Principal) -> models.Contact:
            row_id = decode_id(id, "Contact")
            return await contacts.update(session, actor, row_id, provided(input),
                                         expected_version)  # fmt: skip

        return _payload(await run_mutation(info, Role.EDITOR, work))

    @strawberry.mutation
    async def contact_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work(session: AsyncSession, actor: Principal) -> None:
            await contacts.delete(session, actor, decode_id(id, "Contact"))

        outcome = await run_mutation(info, Role.EDITOR, work, deleting=True)
        return DeletePayload(deleted_id=None if outcome.errors else id, user_errors=outcome.errors)
