"""The Customer type and its filter, order and payload types."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from clientbase import models
from clientbase.models.customer import CustomerKind as CustomerKindValue
from clientbase.models.customer import CustomerStatus as CustomerStatusValue
from clientbase.schema.audit import AuditEvent, customer_history_of
from clientbase.schema.common import (
    Address,
    Connection,
    DateFilter,
    IdFilter,
    Node,
    OrderDirection,
    StringFilter,
    UserError,
    page_request,
)
from clientbase.schema.contact import Contact, ContactFilter, ContactOrder, contacts_of_customer
from clientbase.schema.contract import (
    Contract,
    ContractFilter,
    ContractOrder,
    contracts_of_customer,
)
from clientbase.schema.ids import to_global_id
from clientbase.schema.inventory import InventoryItem, InventoryItemFilter, items_of
from clientbase.schema.lists import Info, by_id, by_ids
from clientbase.schema.node import register_node
from clientbase.schema.overview import CustomerOverview, overview_of
from clientbase.schema.reference import CompanyType, CustomerCategory
from clientbase.schema.site import Site, SiteFilter, SiteOrder, sites_of_customer

if TYPE_CHECKING:
    from clientbase.schema.duplicates import DuplicateMatch

CustomerKind = strawberry.enum(CustomerKindValue, name="CustomerKind")
CustomerStatus = strawberry.enum(CustomerStatusValue, name="CustomerStatus")


@strawberry.type(description="A customer: a company or a person, with everything it has.")
class Customer(Node):
    row: strawberry.Private[models.Customer]
    code: str
    kind: CustomerKind  # type: ignore[valid-type]
    legal_name: str
    trade_name: str | None
    tax_id: str | None
    tax_id_country: str | None
    birth_date: dt.date | None
    email: str | None
    phone: str | None
    website: str | None
    address: Address | None
    status: CustomerStatus  # type: ignore[valid-type]
    external_ref: str | None
    custom_fields: JSON | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.Customer) -> Customer:
        return cls(
            id=strawberry.ID(to_global_id("Customer", row.id)),
            row=row,
            code=row.code,
            kind=CustomerKindValue(row.kind),
            legal_name=row.legal_name,
            trade_name=row.trade_name,
            tax_id=row.tax_id,
            tax_id_country=row.tax_id_country,
            birth_date=row.birth_date,
            email=row.email,
            phone=row.phone,
            website=row.website,
            address=Address.from_row(row),
            status=CustomerStatusValue(row.status),
            external_ref=row.external_ref,
            custom_fields=cast(JSON, row.custom_fields),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @property
    def row_id(self) -> uuid.UUID:
        return self.row.id

    @strawberry.field
    async def category(self, info: Info) -> CustomerCategory | None:
        if self.row.category_id is None:
            return None
        return await by_id(info, models.CustomerCategory, self.row.category_id,
                           CustomerCategory.from_row)  # fmt: skip

    @strawberry.field
    async def company_type(self, info: Info) -> CompanyType | None:
        if self.row.company_type_id is None:
            return None
        return await by_id(info, models.CompanyType, self.row.company_type_id,
                           CompanyType.from_row)  # fmt: skip

    @strawberry.field(description="The survivor this customer was merged into.")
    async def merged_into(self, info: Info) -> Customer | None:
        if self.row.merged_into_id is None:
            return None
        return await by_id(info, models.Customer, self.row.merged_into_id, Customer.from_row)

    @strawberry.field(description="The customer's contacts.")
    async def contacts(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: ContactFilter | None = None, order_by: list[ContactOrder] | None = None,
    ) -> Connection[Contact]:  # fmt: skip
        return await contacts_of_customer(info, self.row.id, page_request(first, after), filter,
                                          order_by)  # fmt: skip

    @strawberry.field(description="The customer's sites.")
    async def sites(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: SiteFilter | None = None, order_by: list[SiteOrder] | None = None,
    ) -> Connection[Site]:  # fmt: skip
        return await sites_of_customer(info, self.row.id, page_request(first, after), filter,
                                       order_by)  # fmt: skip

    @strawberry.field(description="The customer's contracts.")
    async def contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: ContractFilter | None = None, order_by: list[ContractOrder] | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        return await contracts_of_customer(info, self.row.id, page_request(first, after), filter,
                                           order_by)  # fmt: skip

    @strawberry.field(description="Everything the customer has: products, services, licences.")
    async def inventory(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: InventoryItemFilter | None = None, search: str | None = None,
    ) -> Connection[InventoryItem]:  # fmt: skip
        return await items_of(info, "customer", self.row.id, page_request(first, after), filter,
                              search)  # fmt: skip

    @strawberry.field(description="Counts of contacts, sites, contracts and items.")
    async def overview(self, info: Info) -> CustomerOverview:
        return await overview_of(info, self.row.id)

    @strawberry.field(description="Open duplicate candidates that involve this customer.")
    async def duplicates(
        self, info: Info
    ) -> list[Annotated[DuplicateMatch, strawberry.lazy("clientbase.schema.duplicates")]]:
        from clientbase.schema.duplicates import duplicates_of

        return await duplicates_of(info, self.row.id)

    @strawberry.field(
        description="Every change to this customer, and to the customers merged into it, "
        "newest first."
    )
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        return await customer_history_of(info, self.row.id, page_request(first, after))


@strawberry.input
class CustomerCategoryFilter:
    id: IdFilter | None = None
    name: StringFilter | None = None


@strawberry.input
class CustomerKindFilter:
    eq: CustomerKind | None = None  # type: ignore[valid-type]
    in_: list[CustomerKind] | None = strawberry.field(default=None, name="in")  # type: ignore[valid-type]


@strawberry.input
class CustomerStatusFilter:
    eq: CustomerStatus | None = None  # type: ignore[valid-type]
    in_: list[CustomerStatus] | None = strawberry.field(default=None, name="in")  # type: ignore[valid-type]


@strawberry.input(description="Conditions on customers; all given ones must hold.")
class CustomerFilter:
    id: IdFilter | None = None
    code: StringFilter | None = None
    kind: CustomerKindFilter | None = None
    status: CustomerStatusFilter | None = None
    legal_name: StringFilter | None = None
    trade_name: StringFilter | None = None
    tax_id: StringFilter | None = None
    tax_id_country: StringFilter | None = None
    email: StringFilter | None = None
    phone: StringFilter | None = None
    external_ref: StringFilter | None = None
    city: StringFilter | None = None
    country: StringFilter | None = None
    birth_date: DateFilter | None = None
    created_at: DateFilter | None = None
    updated_at: DateFilter | None = None
    category: CustomerCategoryFilter | None = None
    company_type: CustomerCategoryFilter | None = None
    and_: list[CustomerFilter] | None = strawberry.field(default=None, name="and")
    or_: list[CustomerFilter] | None = strawberry.field(default=None, name="or")
    not_: CustomerFilter | None = strawberry.field(default=None, name="not")


@strawberry.enum
class CustomerOrderField(Enum):
    CODE = "CODE"
    LEGAL_NAME = "LEGAL_NAME"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input
class CustomerOrder:
    field: CustomerOrderField
    direction: OrderDirection = OrderDirection.ASC


def duplicate_warnings() -> Any:
    """A payload's `warnings` field, for writes the tenant's duplicate rule looks at."""
    return strawberry.field(
        default_factory=list,
        description="Saved, but worth a look: DUPLICATE when the tenant's rule warns of a "
        "customer that may be the same.",
    )


def duplicate_matches() -> Any:
    """A payload's `duplicates` field: the customers its warnings are about."""
    return strawberry.field(
        default_factory=list, description="The customers the warnings are about, with the reasons."
    )


@strawberry.type
class CustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]
    warnings: list[UserError] = duplicate_warnings()
    duplicates: list[Annotated[DuplicateMatch, strawberry.lazy("clientbase.schema.duplicates")]] = (
        duplicate_matches()
    )
    merge_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="customersMerge and customersMergeUndo: the merge (a CustomerMerge id).",
    )


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.Customer, ids, Customer.from_row)


register_node("Customer", _load)
