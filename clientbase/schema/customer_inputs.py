"""Inputs and payloads of the customer mutations, and their translation to service data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from clientbase.models.customer import CustomerKind as CustomerKindValue
from clientbase.schema.common import AddressInput, UserError, address_columns
from clientbase.schema.contact import ContactInput, contact_data
from clientbase.schema.contract import ContractInput, contract_data
from clientbase.schema.customer import (
    Customer,
    CustomerKind,
    CustomerStatus,
    duplicate_matches,
    duplicate_warnings,
)
from clientbase.schema.ids import InvalidGlobalIdError, from_global_id
from clientbase.schema.site import SiteInput, site_data
from clientbase.services.errors import ErrorCode, problem

if TYPE_CHECKING:
    from clientbase.schema.duplicates import DuplicateMatch


@strawberry.input(description="A new customer; contacts, sites and contracts may come along.")
class CustomerCreateInput:
    code: str
    legal_name: str
    kind: CustomerKind = CustomerKindValue.COMPANY  # type: ignore[valid-type]
    trade_name: str | None = None
    tax_id: str | None = None
    tax_id_country: str | None = None
    birth_date: dt.date | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    address: AddressInput | None = None
    category_id: strawberry.ID | None = None
    company_type_id: strawberry.ID | None = None
    external_ref: str | None = None
    custom_fields: JSON | None = None
    contacts: list[ContactInput] | None = None
    sites: list[SiteInput] | None = None
    contracts: list[ContractInput] | None = None


@strawberry.input(description="Only the fields given change; null clears a field.")
class CustomerUpdateInput:
    code: strawberry.Maybe[str]
    legal_name: strawberry.Maybe[str]
    kind: strawberry.Maybe[CustomerKind]  # type: ignore[valid-type]
    status: strawberry.Maybe[CustomerStatus]  # type: ignore[valid-type]
    trade_name: strawberry.Maybe[str | None]
    tax_id: strawberry.Maybe[str | None]
    tax_id_country: strawberry.Maybe[str | None]
    birth_date: strawberry.Maybe[dt.date | None]
    email: strawberry.Maybe[str | None]
    phone: strawberry.Maybe[str | None]
    website: strawberry.Maybe[str | None]
    address: strawberry.Maybe[AddressInput | None]
    category_id: strawberry.Maybe[strawberry.ID | None]
    company_type_id: strawberry.Maybe[strawberry.ID | None]
    external_ref: strawberry.Maybe[str | None]
    custom_fields: strawberry.Maybe[JSON | None]


@strawberry.input(description="Matched by externalRef when given, else by code.")
class CustomerUpsertInput:
    code: str
    legal_name: str
    external_ref: strawberry.Maybe[str | None]
    kind: strawberry.Maybe[CustomerKind]  # type: ignore[valid-type]
    status: strawberry.Maybe[CustomerStatus]  # type: ignore[valid-type]
    trade_name: strawberry.Maybe[str | None]
    tax_id: strawberry.Maybe[str | None]
    tax_id_country: strawberry.Maybe[str | None]
    birth_date: strawberry.Maybe[dt.date | None]
    email: strawberry.Maybe[str | None]
    phone: strawberry.Maybe[str | None]
    website: strawberry.Maybe[str | None]
    address: strawberry.Maybe[AddressInput | None]
    category_id: strawberry.Maybe[strawberry.ID | None]
    company_type_id: strawberry.Maybe[strawberry.ID | None]
    custom_fields: strawberry.Maybe[JSON | None]
    confirm_duplicate: bool = strawberry.field(
        default=False,
        description="Save even if the tenant's duplicate rule blocks a customer this alike.",
    )


@strawberry.enum
class ErrorPolicy(Enum):
    REJECT_ALL = "REJECT_ALL"
    SKIP_FAILED = "SKIP_FAILED"


@strawberry.enum
class UpsertAction(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"


@strawberry.type
class CustomerUpsertResult:
    index: int
    customer: Customer | None
    action: UpsertAction | None
    user_errors: list[UserError]
    warnings: list[UserError] = duplicate_warnings()
    duplicates: list[Annotated[DuplicateMatch, strawberry.lazy("clientbase.schema.duplicates")]] = (
        duplicate_matches()
    )


@strawberry.type
class CustomersUpsertPayload:
    results: list[CustomerUpsertResult]
    committed: bool = strawberry.field(description="False when REJECT_ALL rolled it all back.")
    user_errors: list[UserError]


REFERENCES = {"category_id": ("CustomerCategory", "categoryId"),
              "company_type_id": ("CompanyType", "companyTypeId")}  # fmt: skip


def _reference(value: str | None, key: str) -> Any:
    if value is None:
        return None
    expected, field = REFERENCES[key]
    try:
        type_name, row_id = from_global_id(value)
    except InvalidGlobalIdError:
        type_name, row_id = "", None
    if type_name != expected:
        raise problem(field, ErrorCode.NOT_FOUND, f"No {expected} with this id.")
    return row_id


def customer_data(fields: dict[str, Any]) -> dict[str, Any]:
    """Input fields (python names, enums as values) as customer columns."""
    data = dict(fields)
    if "address" in data:
        data.update(address_columns(data.pop("address")))
    for key in REFERENCES:
        if key in data:
            data[key] = _reference(data[key], key)
    if "custom_fields" in data and data["custom_fields"] is None:
        data["custom_fields"] = {}  # null clears them; the column holds an object
    return data


NESTED: dict[str, Callable[[Any], dict[str, Any]]] = {
    "contacts": contact_data,
    "sites": site_data,
    "contracts": contract_data,
}


def create_fields(input: CustomerCreateInput) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The customer's own fields, and its nested children as service data per kind."""
    fields = {name: getattr(input, name) for name in input.__dataclass_fields__}
    fields["kind"] = CustomerKindValue(input.kind).value
    children = {name: [convert(child) for child in fields.pop(name) or []]
                for name, convert in NESTED.items()}  # fmt: skip
    return fields, children
