"""How sites are listed: filterable fields, the customer relation filter, sort orders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from clientbase.models.customer import Customer
from clientbase.models.site import Site
from clientbase.services.query.filters import Field, FieldMap, Filter, Relation, compile_filter
from clientbase.services.query.pagination import SortKey

FIELDS: FieldMap = {
    "id": Field(Site.id, "id"),
    "name": Field(Site.name),
    "line1": Field(Site.address_line1),
    "city": Field(Site.address_city),
    "region": Field(Site.address_region),
    "postal_code": Field(Site.address_postal_code),
    "country": Field(Site.address_country),
    "created_at": Field(Site.created_at, "date"),
    "updated_at": Field(Site.updated_at, "date"),
    "customer": Relation(
        {"id": Field(Customer.id, "id"), "code": Field(Customer.code),
         "legal_name": Field(Customer.legal_name)},
        lambda: Customer.id == Site.customer_id,
    ),
}  # fmt: skip

# Only NOT NULL columns: a keyset cursor cannot step past a NULL sort value.
ORDERS = {
    "NAME": (Site.name, "name"),
    "CREATED_AT": (Site.created_at, "created_at"),
    "UPDATED_AT": (Site.updated_at, "updated_at"),
}

SEARCHED = ("name", "city", "postal_code", "line1")


def sort_keys(order_by: list[tuple[str, bool]] | None = None) -> list[SortKey]:
    """`order_by` as (ORDER name, descending) pairs; the id always breaks ties."""
    keys = [SortKey(ORDERS[name][0], ORDERS[name][1], desc) for name, desc in order_by or []]
    if not keys:
        keys = [SortKey(Site.name, "name")]
    return [*keys, SortKey(Site.id, "id", keys[-1].descending)]


def list_query(filter_tree: Filter | None = None, search: str | None = None) -> Select[Any]:
    stmt = select(Site).where(compile_filter(filter_tree, FIELDS))
    if search and search.strip():
        pattern = {"contains": search.strip()}
        stmt = stmt.where(or_(*(compile_filter({name: pattern}, FIELDS) for name in SEARCHED)))
    return stmt
