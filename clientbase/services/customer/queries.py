"""How customers are listed: filterable fields, one-hop relation filters, sort orders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from clientbase.models.company_type import CompanyType
from clientbase.models.customer import Customer
from clientbase.models.customer_category import CustomerCategory
from clientbase.services.query.filters import Field, FieldMap, Filter, Relation, compile_filter
from clientbase.services.query.pagination import SortKey

FIELDS: FieldMap = {
    "id": Field(Customer.id, "id"),
    "code": Field(Customer.code),
    "kind": Field(Customer.kind, "enum"),
    "status": Field(Customer.status, "enum"),
    "legal_name": Field(Customer.legal_name),
    "trade_name": Field(Customer.trade_name),
    "tax_id": Field(Customer.tax_id),
    "tax_id_country": Field(Customer.tax_id_country),
    "email": Field(Customer.email),
    "phone": Field(Customer.phone),
    "external_ref": Field(Customer.external_ref),
    "city": Field(Customer.address_city),
    "country": Field(Customer.address_country),
    "birth_date": Field(Customer.birth_date, "date"),
    "created_at": Field(Customer.created_at, "date"),
    "updated_at": Field(Customer.updated_at, "date"),
    "category": Relation(
        {"id": Field(CustomerCategory.id, "id"), "name": Field(CustomerCategory.name)},
        lambda: CustomerCategory.id == Customer.category_id,
    ),
    "company_type": Relation(
        {"id": Field(CompanyType.id, "id"), "name": Field(CompanyType.name)},
        lambda: CompanyType.id == Customer.company_type_id,
    ),
}

ORDERS = {
    "CODE": (Customer.code, "code"),
    "LEGAL_NAME": (Customer.legal_name, "legal_name"),
    "CREATED_AT": (Customer.created_at, "created_at"),
    "UPDATED_AT": (Customer.updated_at, "updated_at"),
}


def sort_keys(order_by: list[tuple[str, bool]] | None) -> list[SortKey]:
    """`order_by` as (ORDER name, descending) pairs; the id always breaks ties."""
    keys = [SortKey(ORDERS[name][0], ORDERS[name][1], desc) for name, desc in order_by or []]
    if not keys:
        keys = [SortKey(Customer.code, "code")]
    return [*keys, SortKey(Customer.id, "id", keys[-1].descending)]


def list_query(filter_tree: Filter | None = None, search: str | None = None) -> Select[Any]:
    stmt = select(Customer).where(compile_filter(filter_tree, FIELDS))
    if search:
        # A plain keyword filter; the ranked typeahead is `customerSearch`.
        pattern = {"contains": search}
        stmt = stmt.where(or_(*(compile_filter({name: pattern}, FIELDS)
                                for name in ("code", "legal_name", "trade_name", "email",
                                             "tax_id", "external_ref"))))  # fmt: skip
    return stmt
