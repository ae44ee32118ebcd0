"""How contracts are listed: filterable fields (dates as ranges), the customer relation
filter, sort orders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from clientbase.models.contract import Contract
from clientbase.models.customer import Customer
from clientbase.services.query.filters import Field, FieldMap, Filter, Relation, compile_filter
from clientbase.services.query.pagination import SortKey

FIELDS: FieldMap = {
    "id": Field(Contract.id, "id"),
    "number": Field(Contract.number),
    "title": Field(Contract.title),
    "status": Field(Contract.status, "enum"),
    "starts_on": Field(Contract.starts_on, "date"),
    "ends_on": Field(Contract.ends_on, "date"),
    "created_at": Field(Contract.created_at, "date"),
    "updated_at": Field(Contract.updated_at, "date"),
    "customer": Relation(
        {"id": Field(Customer.id, "id"), "code": Field(Customer.code),
         "legal_name": Field(Customer.legal_name)},
        lambda: Customer.id == Contract.customer_id,
    ),
}  # fmt: skip

# Only NOT NULL columns: a keyset cursor cannot step past a NULL sort value, so the
# (nullable) contract dates are filters, not orders.
ORDERS = {
    "NUMBER": (Contract.number, "number"),
    "STATUS": (Contract.status, "status"),
    "CREATED_AT": (Contract.created_at, "created_at"),
    "UPDATED_AT": (Contract.updated_at, "updated_at"),
}

SEARCHED = ("number", "title")


def sort_keys(order_by: list[tuple[str, bool]] | None = None) -> list[SortKey]:
    """`order_by` as (ORDER name, descending) pairs; the id always breaks ties."""
    keys = [SortKey(ORDERS[name][0], ORDERS[name][1], desc) for name, desc in order_by or []]
    if not keys:
        keys = [SortKey(Contract.number, "number")]
    return [*keys, SortKey(Contract.id, "id", keys[-1].descending)]


def list_query(filter_tree: Filter | None = None, search: str | None = None) -> Select[Any]:
    stmt = select(Contract).where(compile_filter(filter_tree, FIELDS))
    if search and search.strip():
        pattern = {"contains": search.strip()}
        stmt = stmt.where(or_(*(compile_filter({name: pattern}, FIELDS) for name in SEARCHED)))
    return stmt
