"""How contacts are listed: filterable fields, the customer relation filter, sort orders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from clientbase.models.contact import Contact
from clientbase.models.customer import Customer
from clientbase.services.query.filters import Field, FieldMap, Filter, Relation, compile_filter
from clientbase.services.query.pagination import SortKey

FIELDS: FieldMap = {
    "id": Field(Contact.id, "id"),
    "first_name": Field(Contact.first_name),
    "last_name": Field(Contact.last_name),
    "full_name": Field(Contact.full_name),
    "email": Field(Contact.email),
    "phone": Field(Contact.phone),
    "job_title": Field(Contact.job_title),
    "is_primary": Field(Contact.is_primary, "bool"),
    "created_at": Field(Contact.created_at, "date"),
    "updated_at": Field(Contact.updated_at, "date"),
    "customer": Relation(
        {"id": Field(Customer.id, "id"), "code": Field(Customer.code),
         "legal_name": Field(Customer.legal_name)},
        lambda: Customer.id == Contact.customer_id,
    ),
}  # fmt: skip

# Only NOT NULL columns: a keyset cursor cannot step past a NULL sort value.
ORDERS = {
    "FULL_NAME": (Contact.full_name, "full_name"),
    "CREATED_AT": (Contact.created_at, "created_at"),
    "UPDATED_AT": (Contact.updated_at, "updated_at"),
}

SEARCHED = ("first_name", "last_name", "full_name", "email", "phone", "job_title")


def sort_keys(order_by: list[tuple[str, bool]] | None = None) -> list[SortKey]:
    """`order_by` as (ORDER name, descending) pairs; the id always breaks ties."""
    keys = [SortKey(ORDERS[name][0], ORDERS[name][1], desc) for name, desc in order_by or []]
    if not keys:
        # Not primary-first: keyset pagination compares cursor values with < and >, which
        # SQLAlchemy refuses for Python booleans; `isPrimary` is a filter instead.
        keys = [SortKey(Contact.full_name, "full_name")]
    return [*keys, SortKey(Contact.id, "id", keys[-1].descending)]


def list_query(filter_tree: Filter | None = None, search: str | None = None) -> Select[Any]:
    stmt = select(Contact).where(compile_filter(filter_tree, FIELDS))
    if search and search.strip():
        pattern = {"contains": search.strip()}
        stmt = stmt.where(or_(*(compile_filter({name: pattern}, FIELDS) for name in SEARCHED)))
    return stmt
