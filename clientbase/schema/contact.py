"""The Contact type, its filter, order, inputs and payload, and a customer's contacts."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from clientbase import models
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
from clientbase.schema.filters import filter_tree
from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info, by_id, by_ids, child_connection
from clientbase.schema.node import register_node
from clientbase.services.contact import queries
from clientbase.services.query.pagination import PageRequest

if TYPE_CHECKING:
    from clientbase.schema.customer import Customer

# The customer type is imported lazily: schema.customer will import this module for its
# `contacts` field, and a module-level import back would be a cycle.
CustomerRef = Annotated["Customer", strawberry.lazy("clientbase.schema.customer")]


async def owning_customer(info: Info, customer_id: uuid.UUID) -> Customer:
    """The customer a contact, site or contract belongs to (always there: a foreign key)."""
    from clientbase.schema.customer import Customer

    customer = await by_id(info, models.Customer, customer_id, Customer.from_row)
    if customer is None:
        raise LookupError(f"customer {customer_id} is not visible")
    return customer


@strawberry.type(description="A person to talk to at a customer.")
class Contact(Node):
    row: strawberry.Private[models.Contact]
    first_name: str | None
    last_name: str | None
    full_name: str
    email: str | None
    phone: str | None
    job_title: str | None
    is_primary: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.Contact) -> Contact:
        return cls(
            id=strawberry.ID(to_global_id("Contact", row.id)),
            row=row,
            first_name=row.first_name,
            last_name=row.last_name,
            full_name=row.full_name,
            email=row.email,
            phone=row.phone,
            job_title=row.job_title,
            is_primary=row.is_primary,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field
    async def customer(self, info: Info) -> CustomerRef:
        return await owning_customer(info, self.row.customer_id)

    @strawberry.field(description="Every change to this contact, newest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        return await history_of(info, "Contact", self.row.id, page_request(first, after))


@strawberry.input(description="Conditions on a true/false field.")
class BooleanFilter:
    eq: bool | None = None


@strawberry.input(description="Conditions on the customer a record belongs to.")
class CustomerRefFilter:
    id: IdFilter | None = None
    code: StringFilter | None = None
    legal_name: StringFilter | None = None


@strawberry.input(description="Conditions on contacts; all given ones must hold.")
class ContactFilter:
    id: IdFilter | None = None
    first_name: StringFilter | None = None
    last_name: StringFilter | None = None
    full_name: StringFilter | None = None
    email: StringFilter | None = None
    phone: StringFilter | None = None
    job_title: StringFilter | None = None
    is_primary: BooleanFilter | None = None
    created_at: DateFilter | None = None
    updated_at: DateFilter | None = None
    customer: CustomerRefFilter | None = None
    and_: list[ContactFilter] | None = strawberry.field(default=None, name="and")
    or_: list[ContactFilter] | None = strawberry.field(default=None, name="or")
    not_: ContactFilter | None = strawberry.field(default=None, name="not")


@strawberry.enum
class ContactOrderField(Enum):
    FULL_NAME = "FULL_NAME"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input
class ContactOrder:
    field: ContactOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="A contact of the customer it is given with.")
class ContactInput:
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = strawberry.field(
        default=None, description="Defaults to first and last name; one of them is required."
    )
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    is_primary: bool = strawberry.field(
        default=False, description="True makes the customer's current primary contact a plain one."
    )


@strawberry.input(description="A new contact of an existing customer.")
class ContactCreateInput(ContactInput):
    customer_id: strawberry.ID


@strawberry.input(description="Only the fields given change; null clears a field.")
class ContactUpdateInput:
    first_name: strawberry.Maybe[str | None]
    last_name: strawberry.Maybe[str | None]
    full_name: strawberry.Maybe[str] = strawberry.field(
        description="Follows first and last name when it was made from them."
    )
    email: strawberry.Maybe[str | None]
    phone: strawberry.Maybe[str | None]
    job_title: strawberry.Maybe[str | None]
    is_primary: strawberry.Maybe[bool]


def contact_data(input: ContactInput) -> dict[str, Any]:
    """A ContactInput or ContactCreateInput as service data (customerId is not part of it)."""
    return {
        "first_name": input.first_name,
        "last_name": input.last_name,
        "full_name": input.full_name,
        "email": input.email,
        "phone": input.phone,
        "job_title": input.job_title,
        "is_primary": input.is_primary,
    }


@strawberry.type
class ContactPayload:
    contact: Contact | None
    user_errors: list[UserError]


async def contacts_of_customer(
    info: Info,
    customer_id: uuid.UUID,
    page: PageRequest,
    filter: ContactFilter | None,
    order_by: list[ContactOrder] | None = None,
) -> Connection[Contact]:
    """`Customer.contacts`: one statement for every customer on the page."""
    tree, order = filter_tree(filter), order_pairs(order_by)
    return await child_connection(
        info,
        "Customer.contacts",
        customer_id,
        stmt=queries.list_query(tree),
        entity=models.Contact,
        parent_column=models.Contact.customer_id,
        sort=queries.sort_keys(order),
        page=page,
        convert=Contact.from_row,
        arguments=(tree, order),
    )


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.Contact, ids, Contact.from_row)


register_node("Contact", _load)
