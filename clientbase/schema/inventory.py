"""The InventoryItem type with its filter, order, inputs and payload, and `items_of`, the
inventory connection of a customer, site or contract."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry

from clientbase import models
from clientbase.models.contract import ContractStatus as ContractStatusValue
from clientbase.models.inventory_item import InventoryItemStatus as InventoryItemStatusValue
from clientbase.schema.audit import AuditEvent, history_of
from clientbase.schema.common import (
    Connection,
    DateFilter,
    IdFilter,
    Node,
    OrderDirection,
    StringFilter,
    UserError,
    page_request,
)
from clientbase.schema.filters import filter_tree
from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info, by_id, by_ids, child_connection
from clientbase.schema.node import register_node
from clientbase.schema.reference import ProductType
from clientbase.services.inventory import queries
from clientbase.services.query.pagination import PageRequest

if TYPE_CHECKING:
    from clientbase.schema.contract import Contract
    from clientbase.schema.customer import Customer
    from clientbase.schema.site import Site

T = TypeVar("T")
InventoryItemStatus = strawberry.enum(InventoryItemStatusValue, name="InventoryItemStatus")
# Wrapped here rather than imported from schema.contract, which imports this module for its
# `inventory` field; wrapping the model's enum class again yields the same GraphQL enum.
ContractStatus = strawberry.enum(ContractStatusValue, name="ContractStatus")


def _present(value: T | None, relation: str) -> T:
    if value is None:
        # The foreign keys make this impossible short of a broken database.
        raise RuntimeError(f"An inventory item's {relation} is missing.")
    return value


@strawberry.type(description="A serial-numbered product, licence or service at a customer site.")
class InventoryItem(Node):
    row: strawberry.Private[models.InventoryItem]
    serial_number: str = strawberry.field(description="Unique per tenant and product type.")
    description: str | None
    notes: str | None
    status: InventoryItemStatus  # type: ignore[valid-type]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.InventoryItem) -> InventoryItem:
        return cls(
            id=strawberry.ID(to_global_id("InventoryItem", row.id)),
            row=row,
            serial_number=row.serial_number,
            description=row.description,
            notes=row.notes,
            status=InventoryItemStatusValue(row.status),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @property
    def row_id(self) -> uuid.UUID:
        return self.row.id

    @strawberry.field
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("clientbase.schema.customer")]:
        from clientbase.schema.customer import Customer

        found = await by_id(info, models.Customer, self.row.customer_id, Customer.from_row)
        return _present(found, "customer")

    @strawberry.field(description="A contract of the item's own customer.")
    async def contract(
        self, info: Info
    ) -> Annotated[Contract, strawberry.lazy("clientbase.schema.contract")]:
        from clientbase.schema.contract import Contract

        found = await by_id(info, models.Contract, self.row.contract_id, Contract.from_row)
        return _present(found, "contract")

    @strawberry.field(description="A site of the item's own customer.")
    async def site(self, info: Info) -> Annotated[Site, strawberry.lazy("clientbase.schema.site")]:
        from clientbase.schema.site import Site

        found = await by_id(info, models.Site, self.row.site_id, Site.from_row)
        return _present(found, "site")

    @strawberry.field
    async def product_type(self, info: Info) -> ProductType:
        found = await by_id(info, models.ProductType, self.row.product_type_id,
                            ProductType.from_row)  # fmt: skip
        return _present(found, "product type")

    @strawberry.field(description="The item that took this one's place (status REPLACED).")
    async def replaced_by(self, info: Info) -> InventoryItem | None:
        if self.row.replaced_by_id is None:
            return None
        return await by_id(info, models.InventoryItem, self.row.replaced_by_id,
                           InventoryItem.from_row)  # fmt: skip

    @strawberry.field(description="The item this one replaced, if any.")
    async def replaces(self, info: Info) -> InventoryItem | None:
        loader = info.context.loaders.get(("InventoryItem", "replaces"), queries.replaced_items)
        row = await loader.load(self.row.id)
        return None if row is None else InventoryItem.from_row(row)

    @strawberry.field(
        description="Every write to this item, newest first: its creation, updates, "
        "transfers between sites and its replacement, each with the before and after."
    )
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        return await history_of(info, "InventoryItem", self.row.id, page_request(first, after))


@strawberry.input
class InventoryItemStatusFilter:
    eq: InventoryItemStatus | None = None  # type: ignore[valid-type]
    in_: list[InventoryItemStatus] | None = strawberry.field(default=None, name="in")  # type: ignore[valid-type]


@strawberry.input
class InventoryItemContractStatusFilter:
    eq: ContractStatus | None = None  # type: ignore[valid-type]
    in_: list[ContractStatus] | None = strawberry.field(default=None, name="in")  # type: ignore[valid-type]


@strawberry.input(description="Conditions on the item's customer.")
class InventoryItemCustomerFilter:
    id: IdFilter | None = None
    code: StringFilter | None = None
    legal_name: StringFilter | None = None


@strawberry.input(description="Conditions on the item's product type.")
class InventoryItemProductTypeFilter:
    id: IdFilter | None = None
    name: StringFilter | None = None


@strawberry.input(description="Conditions on the item's contract.")
class InventoryItemContractFilter:
    id: IdFilter | None = None
    number: StringFilter | None = None
    status: InventoryItemContractStatusFilter | None = None


@strawberry.input(description="Conditions on the item's site.")
class InventoryItemSiteFilter:
    id: IdFilter | None = None
    name: StringFilter | None = None


@strawberry.input(description="Conditions on inventory items; all given ones must hold.")
class InventoryItemFilter:
    id: IdFilter | None = None
    serial_number: StringFilter | None = None
    description: StringFilter | None = None
    notes: StringFilter | None = None
    status: InventoryItemStatusFilter | None = None
    created_at: DateFilter | None = None
    customer: InventoryItemCustomerFilter | None = None
    product_type: InventoryItemProductTypeFilter | None = None
    contract: InventoryItemContractFilter | None = None
    site: InventoryItemSiteFilter | None = None
    and_: list[InventoryItemFilter] | None = strawberry.field(default=None, name="and")
    or_: list[InventoryItemFilter] | None = strawberry.field(default=None, name="or")
    not_: InventoryItemFilter | None = strawberry.field(default=None, name="not")


@strawberry.enum
class InventoryItemOrderField(Enum):
    SERIAL_NUMBER = "SERIAL_NUMBER"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    STATUS = "STATUS"


@strawberry.input
class InventoryItemOrder:
    field: InventoryItemOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="A new item; its contract and site belong to its customer.")
class InventoryItemCreateInput:
    customer_id: strawberry.ID
    contract_id: strawberry.ID
    site_id: strawberry.ID
    product_type_id: strawberry.ID
    serial_number: str
    description: str | None = None
    notes: str | None = None


@strawberry.input(
    description="Only the fields given change; null clears a field. The customer never "
    "changes, and the site changes by inventoryItemTransfer."
)
class InventoryItemUpdateInput:
    serial_number: strawberry.Maybe[str]
    product_type_id: strawberry.Maybe[strawberry.ID]
    contract_id: strawberry.Maybe[strawberry.ID]
    description: strawberry.Maybe[str | None]
    notes: strawberry.Maybe[str | None]
    status: strawberry.Maybe[InventoryItemStatus] = strawberry.field(  # type: ignore[valid-type]
        description="ACTIVE or RETURNED; REPLACED comes only from inventoryItemReplace."
    )


@strawberry.input(
    description="The new device: it takes the old one's customer, site and contract, and the "
    "old one's product type and description unless given."
)
class InventoryItemReplaceInput:
    serial_number: str
    product_type_id: strawberry.ID | None = None
    description: str | None = None
    notes: str | None = None


@strawberry.type
class InventoryItemPayload:
    inventory_item: InventoryItem | None = strawberry.field(
        description="The item written; after a replace, the new item."
    )
    user_errors: list[UserError]


PARENT_COLUMNS = {
    "customer": models.InventoryItem.customer_id,
    "site": models.InventoryItem.site_id,
    "contract": models.InventoryItem.contract_id,
}


async def items_of(
    info: Info,
    parent: str,
    parent_id: uuid.UUID,
    page: PageRequest,
    filter: InventoryItemFilter | None,
    search: str | None,
) -> Connection[InventoryItem]:
    """The inventory of a customer, site or contract (`parent`); every parent on a page that
    asks with the same arguments shares one statement."""
    tree = filter_tree(filter)
    return await child_connection(
        info,
        f"{parent}.inventory",
        parent_id,
        stmt=queries.list_query(tree, search),
        entity=models.InventoryItem,
        parent_column=PARENT_COLUMNS[parent],
        sort=queries.sort_keys(),
        page=page,
        convert=InventoryItem.from_row,
        arguments=(tree, search),
    )


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.InventoryItem, ids, InventoryItem.from_row)


register_node("InventoryItem", _load)
