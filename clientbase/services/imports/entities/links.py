"""Rows of child records name their customer by code or by external reference."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services.errors import ErrorCode
from clientbase.services.imports.entities.base import EntityImport, fetch_by, table_of
from clientbase.services.imports.rows import Row, add_issue

CUSTOMER_FIELDS = ("customer_code", "customer_ref")


def _clean(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def customer_key(row: Row) -> Hashable:
    """How the row names its customer, for claims before the customer is looked up."""
    ref, code = _clean(row.values.get("customer_ref")), _clean(row.values.get("customer_code"))
    return ("ref", ref) if ref else ("code", code)


async def link_customers(handler: EntityImport, session: AsyncSession, rows: Sequence[Row]) -> None:
    """Set data["customer_id"] of each row (None if it names none), or a row issue."""
    table = table_of(Customer)
    refs = await fetch_by(session, table, "external_ref",
                          [_clean(r.values.get("customer_ref")) for r in rows])  # fmt: skip
    codes = await fetch_by(session, table, "code",
                           [_clean(r.values.get("customer_code")) for r in rows])  # fmt: skip
    for row in rows:
        ref, code = _clean(row.values.get("customer_ref")), _clean(row.values.get("customer_code"))
        field, value, found = (
            ("customer_ref", ref, refs.get(ref))
            if ref
            else ("customer_code", code, codes.get(code))
        )
        row.data["customer_id"] = found["id"] if found else None
        if value is None:
            continue  # the service reports customerId as required where it is
        if found is None:
            handler.not_found(row, field, "customer", value)
        elif found["status"] == CustomerStatus.MERGED.value:
            add_issue(row, handler.mapping, field, ErrorCode.INVALID_STATE.value,
                      "A merged customer takes no new records; use the survivor.")  # fmt: skip
            row.data["customer_id"] = None


def wrong_customer(handler: EntityImport, row: Row, what: str) -> bool:
    """True (and a row issue) when the row's record belongs to another customer."""
    existing = row.existing
    if existing is None or row.data.get("customer_id") in (None, existing["customer_id"]):
        return False
    field = "customer_ref" if "customer_ref" in handler.mapping.fields else "customer_code"
    add_issue(row, handler.mapping, field, ErrorCode.WRONG_CUSTOMER.value,
              f"The {what} belongs to another customer.")  # fmt: skip
    return True


def require_customer(handler: EntityImport, row: Row) -> bool:
    """A new child needs its customer; False (and a row issue) when the row names none."""
    if row.data.get("customer_id") is not None:
        return True
    if row.ok:  # an unknown or merged customer was reported already
        field = "customer_ref" if "customer_ref" in handler.mapping.fields else "customer_code"
        message = "`customerId` is required: give the customer's code or external reference."
        add_issue(row, handler.mapping, field, ErrorCode.REQUIRED.value, message)
    return False
