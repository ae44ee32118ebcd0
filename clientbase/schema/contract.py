"""The Contract type, its filter, order, inputs and payload, and a customer's contracts."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

import strawberry

from clientbase import models
from clientbase.models.contract import ContractStatus as ContractStatusValue
from clientbase.schema.audit import AuditEvent, history_of
from clientbase.schema.common import (
    Connection,
    DateFilter,
    IdFilter,
    Node,
    OrderDirection,
    StringFilter,
    UserError,
    order_pairs,
    page_request,
)
from clientbase.schema.contact import CustomerRef, CustomerRefFilter, owning_customer
from clientbase.schema.filters import filter_tree
from clientbase.schema.ids import to_global_id
from clientbase.schema.inventory import InventoryItem, InventoryItemFilter, items_of
from clientbase.schema.lists import Info, by_ids, child_connection
from clientbase.schema.node import register_node
from clientbase.services.contract import queries
from clientbase.services.query.pagination import PageRequest

ContractStatus = strawberry.enum(ContractStatusValue, name="ContractStatus")


@strawberry.type(description="An agreement with a customer under which inventory is supplied.")
class Contract(Node):
    row: strawberry.Private[models.Contract]
    number: str
    title: str | None
    status: ContractStatus  # type: ignore[valid-type]
    starts_on: dt.date | None
    ends_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.Contract) -> Contract:
        return cls(
            id=strawberry.ID(to_global_id("Contract", row.id)),
            row=row,
            number=row.number,
            title=row.title,
            status=ContractStatusValue(row.status),
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field
    async def customer(self, info: Info) -> CustomerRef:
        return await owning_customer(info, self.row.customer_id)

    @strawberry.field(description="Every change to this contract, newest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        return await history_of(info, "Contract", self.row.id, page_request(first, after))

    @strawberry.field(description="Items supplied under this contract.")
    async def inventory(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: InventoryItemFilter | None = None,
        search: str | None = None,
    ) -> Connection[InventoryItem]:
        return await items_of(
            info, "contract", self.row.id, page_request(first, after), filter, search
        )


@strawberry.input
class ContractStatusFilter:
    eq: ContractStatus | None = None  # type: ignore[valid-type]
    in_: list[ContractStatus] | None = strawberry.field(default=None, name="in")  # type: ignore[valid-type]


@strawberry.input(description="Conditions on contracts; all given ones must hold.")
class ContractFilter:
    id: IdFilter | None = None
    number: StringFilter | None = None
    title: StringFilter | None = None
    status: ContractStatusFilter | None = None
    starts_on: DateFilter | None = None
    ends_on: DateFilter | None = None
    created_at: DateFilter | None = None
    updated_at: DateFilter | None = None
    customer: CustomerRefFilter | None = None
    and_: list[ContractFilter] | None = strawberry.field(default=None, name="and")
    or_: list[ContractFilter] | None = strawberry.field(default=None, name="or")
    not_: ContractFilter | None = strawberry.field(default=None, name="not")


@strawberry.enum
class ContractOrderField(Enum):
    NUMBER = "NUMBER"
    STATUS = "STATUS"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input
class ContractOrder:
    field: ContractOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="A contract of the customer it is given with.")
class ContractInput:
    number: str = strawberry.field(description="Unique in the tenant.")
    title: str | None = None
    status: ContractStatus = ContractStatusValue.ACTIVE  # type: ignore[valid-type]
    starts_on: dt.date | None = None
    ends_on: dt.date | None = strawberry.field(default=None, description="Not before startsOn.")


@strawberry.input(description="A new contract of an existing customer.")
class ContractCreateInput(ContractInput):
    customer_id: strawberry.ID


@strawberry.input(description="Only the fields given change; null clears a field.")
class ContractUpdateInput:
    number: strawberry.Maybe[str]
    title: strawberry.Maybe[str | None]
    status: strawberry.Maybe[ContractStatus]  # type: ignore[valid-type]
    starts_on: strawberry.Maybe[dt.date | None]
    ends_on: strawberry.Maybe[dt.date | None]


def contract_data(input: ContractInput) -> dict[str, Any]:
    """A ContractInput or ContractCreateInput as service data (customerId is not part of it)."""
    return {
        "number": input.number,
        "title": input.title,
        "status": ContractStatusValue(input.status).value,
        "starts_on": input.starts_on,
        "ends_on": input.ends_on,
    }


@strawberry.type
class ContractPayload:
    contract: Contract | None
    user_errors: list[UserError]


async def contracts_of_customer(
    info: Info,
    customer_id: uuid.UUID,
    page: PageRequest,
    filter: ContractFilter | None,
    order_by: list[ContractOrder] | None = None,
) -> Connection[Contract]:
    """`Customer.contracts`: one statement for every customer on the page."""
    tree, order = filter_tree(filter), order_pairs(order_by)
    return await child_connection(
        info,
        "Customer.contracts",
        customer_id,
        stmt=queries.list_query(tree),
        entity=models.Contract,
        parent_column=models.Contract.customer_id,
        sort=queries.sort_keys(order),
        page=page,
        convert=Contract.from_row,
        arguments=(tree, order),
    )


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.Contract, ids, Contract.from_row)


register_node("Contract", _load)
