"""The Site type, its filter, order, inputs and payload, and a customer's sites."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

import strawberry

from clientbase import models
from clientbase.schema.audit import AuditEvent, history_of
from clientbase.schema.common import (
    Address,
    AddressInput,
    Connection,
    DateFilter,
    IdFilter,
    Node,
    OrderDirection,
    StringFilter,
    UserError,
    address_columns,
    order_pairs,
    page_request,
)
from clientbase.schema.contact import CustomerRef, CustomerRefFilter, owning_customer
from clientbase.schema.filters import filter_tree
from clientbase.schema.ids import to_global_id
from clientbase.schema.inventory import InventoryItem, InventoryItemFilter, items_of
from clientbase.schema.lists import Info, by_ids, child_connection
from clientbase.schema.node import register_node
from clientbase.services.query.pagination import PageRequest
from clientbase.services.site import queries


@strawberry.type(description="A named place of a customer where its inventory is installed.")
class Site(Node):
    row: strawberry.Private[models.Site]
    name: str
    address: Address | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.Site) -> Site:
        return cls(
            id=strawberry.ID(to_global_id("Site", row.id)),
            row=row,
            name=row.name,
            address=Address.from_row(row),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field
    async def customer(self, info: Info) -> CustomerRef:
        return await owning_customer(info, self.row.customer_id)

    @strawberry.field(description="Every change to this site, newest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        return await history_of(info, "Site", self.row.id, page_request(first, after))

    @strawberry.field(description="Items installed at this site.")
    async def inventory(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: InventoryItemFilter | None = None,
        search: str | None = None,
    ) -> Connection[InventoryItem]:
        return await items_of(info, "site", self.row.id, page_request(first, after), filter, search)


@strawberry.input(description="Conditions on sites; all given ones must hold.")
class SiteFilter:
    id: IdFilter | None = None
    name: StringFilter | None = None
    line1: StringFilter | None = None
    city: StringFilter | None = None
    region: StringFilter | None = None
    postal_code: StringFilter | None = None
    country: StringFilter | None = None
    created_at: DateFilter | None = None
    updated_at: DateFilter | None = None
    customer: CustomerRefFilter | None = None
    and_: list[SiteFilter] | None = strawberry.field(default=None, name="and")
    or_: list[SiteFilter] | None = strawberry.field(default=None, name="or")
    not_: SiteFilter | None = strawberry.field(default=None, name="not")


@strawberry.enum
class SiteOrderField(Enum):
    NAME = "NAME"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input
class SiteOrder:
    field: SiteOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="A site of the customer it is given with.")
class SiteInput:
    name: str = strawberry.field(description="Unique among the customer's sites.")
    address: AddressInput | None = None


@strawberry.input(description="A new site of an existing customer.")
class SiteCreateInput(SiteInput):
    customer_id: strawberry.ID


@strawberry.input(description="Only the fields given change; null clears a field.")
class SiteUpdateInput:
    name: strawberry.Maybe[str]
    address: strawberry.Maybe[AddressInput | None] = strawberry.field(
        description="Replaces the whole address; null clears it."
    )


def site_data(input: SiteInput) -> dict[str, Any]:
    """A SiteInput or SiteCreateInput as service data (customerId is not part of it)."""
    return {"name": input.name, **address_columns(input.address)}


def site_changes(fields: dict[str, Any]) -> dict[str, Any]:
    """The provided() fields of a SiteUpdateInput as service data."""
    changes = dict(fields)
    if "address" in changes:
        changes.update(address_columns(changes.pop("address")))
    return changes


@strawberry.type
class SitePayload:
    site: Site | None
    user_errors: list[UserError]


async def sites_of_customer(
    info: Info,
    customer_id: uuid.UUID,
    page: PageRequest,
    filter: SiteFilter | None,
    order_by: list[SiteOrder] | None = None,
) -> Connection[Site]:
    """`Customer.sites`: one statement for every customer on the page."""
    tree, order = filter_tree(filter), order_pairs(order_by)
    return await child_connection(
        info,
        "Customer.sites",
        customer_id,
        stmt=queries.list_query(tree),
        entity=models.Site,
        parent_column=models.Site.customer_id,
        sort=queries.sort_keys(order),
        page=page,
        convert=Site.from_row,
        arguments=(tree, order),
    )


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.Site, ids, Site.from_row)


register_node("Site", _load)
