"""Site fields: the `sites` list and the create/update/delete mutations."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase import models
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.common import Connection, DeletePayload, order_pairs, page_request, provided
from clientbase.schema.filters import filter_tree
from clientbase.schema.lists import Info, root_connection
from clientbase.schema.site import (
    Site,
    SiteCreateInput,
    SiteFilter,
    SiteOrder,
    SitePayload,
    SiteUpdateInput,
    site_changes,
    site_data,
)
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.site import queries
from clientbase.services.site import service as sites


def _payload(outcome: Any) -> SitePayload:
    site = Site.from_row(outcome.value) if outcome.value is not None else None
    return SitePayload(site=site, user_errors=outcome.errors)


@strawberry.type
class SiteQueries:
    @strawberry.field(description="Sites of every customer; `search` is a keyword filter.")
    async def sites(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        filter: SiteFilter | None = None, search: str | None = None,
        order_by: list[SiteOrder] | None = None,
    ) -> Connection[Site]:  # fmt: skip
        return await root_connection(
            info,
            queries.list_query(filter_tree(filter), search),
            queries.sort_keys(order_pairs(order_by)),
            page_request(first, after, last, before),
            Site.from_row,
        )


@strawberry.type
class SiteMutations:
    @strawberry.mutation
    async def site_create(self, info: Info, input: SiteCreateInput) -> SitePayload:
        async def work(session: AsyncSession, actor: Principal) -> models.Site:
            customer_id = decode_id(input.customer_id, "Customer", "customerId")
            return await sites.create(session, actor, customer_id, site_data(input))

        return _payload(await run_mutation(info, Role.EDITOR, work))

    @strawberry.mutation
    async def site_update(
        self, info: Info, id: strawberry.ID, input: SiteUpdateInput,
        expected_version: int | None = None,
    ) -> SitePayload:  # fmt: skip
        async def work(session: AsyncSession, actor: Principal) -> models.Site:
            row_id = decode_id(id, "Site")
            return await sites.update(session, actor, row_id, site_changes(provided(input)),
                                      expected_version)  # fmt: skip

        return _payload(await run_mutation(info, Role.EDITOR, work))

    @strawberry.mutation(description="Refused with HAS_DEPENDENTS while inventory is here.")
    async def site_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work(session: AsyncSession, actor: Principal) -> None:
            await sites.delete(session, actor, decode_id(id, "Site"))

        outcome = await run_mutation(info, Role.EDITOR, work, deleting=True)
        return DeletePayload(deleted_id=None if outcome.errors else id, user_errors=outcome.errors)
