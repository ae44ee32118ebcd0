"""Create, update and delete inventory items, and the checks transfer and replace share.
Callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contract import Contract
from clientbase.models.customer import Customer
from clientbase.models.inventory_item import InventoryItem, InventoryItemStatus
from clientbase.models.product_type import ProductType
from clientbase.models.site import Site
from clientbase.services import records, validation
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import (
    CONSTRAINT_PROBLEMS,
    DomainError,
    ErrorCode,
    Problem,
    problem,
)

ENTITY = "InventoryItem"
REFERENCES = ("customer_id", "contract_id", "site_id", "product_type_id")
CREATE_FIELDS = frozenset({*REFERENCES, "serial_number", "description", "notes"})
# The customer never changes here, and a site changes only by a transfer, which is audited
# as a move of its own.
UPDATE_FIELDS = frozenset({"serial_number", "product_type_id", "contract_id", "description",
                           "notes", "status"})  # fmt: skip
SETTABLE_STATUSES = (InventoryItemStatus.ACTIVE.value, InventoryItemStatus.RETURNED.value)

# An item's contract and site belong to its customer. Checked in code first, to name the input
# that broke the rule; the composite foreign keys keep it true under concurrent writes, and
# answer in the same words.
_WRONG_CONTRACT = CONSTRAINT_PROBLEMS["fk_inventory_item_customer_id_contract_id_contract"][2]
_WRONG_SITE = CONSTRAINT_PROBLEMS["fk_inventory_item_customer_id_site_id_site"][2]


def input_name(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)


def only(data: Mapping[str, Any], allowed: Collection[str], why: str) -> None:
    unexpected = [key for key in data if key not in allowed]
    if unexpected:
        raise DomainError([Problem((input_name(key),), ErrorCode.INVALID, why)
                           for key in unexpected])  # fmt: skip


def normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: validation.clean(value) for key, value in data.items()}


def check(data: Mapping[str, Any], creating: bool) -> None:
    """Shape rules, all reported at once with the input's own field names."""

    def present(key: str) -> bool:
        return creating or key in data

    checks = [
        validation.text(data.get("serial_number"), "serialNumber",
                        required=present("serial_number"), max_length=128),
        validation.text(data.get("description"), "description", max_length=2000),
        validation.text(data.get("notes"), "notes", max_length=10000),
    ]  # fmt: skip
    for key in REFERENCES:
        if present(key) and data.get(key) is None:
            field = input_name(key)
            checks.append(problem(field, ErrorCode.REQUIRED, f"`{field}` is required."))
    if "status" in data:
        checks.append(validation.text(data["status"], "status", required=True))
    records.collect(*checks)


async def _find(session: AsyncSession, model: Any, row_id: uuid.UUID, field: str) -> Any:
    row = await session.get(model, row_id)
    if row is None:
        raise problem(field, ErrorCode.NOT_FOUND, f"No {model.__name__} with this id.")
    return row


async def check_references(
    session: AsyncSession, customer_id: uuid.UUID | None, data: Mapping[str, Any]
) -> None:
    """NOT_FOUND for ids the tenant cannot see (row-level security hides other tenants' rows),
    WRONG_CUSTOMER for a contract or site of another customer than `customer_id`; all at once."""
    errors: list[DomainError] = []
    owned = (("contract_id", Contract, _WRONG_CONTRACT), ("site_id", Site, _WRONG_SITE))
    if data.get("customer_id") is not None:
        try:
            await _find(session, Customer, data["customer_id"], "customerId")
        except DomainError as error:
            errors.append(error)
            customer_id = None  # ownership cannot be judged against an unknown customer
    for key, model, wrong_customer in owned:
        if data.get(key) is None:
            continue
        field = input_name(key)
        try:
            row = await _find(session, model, data[key], field)
        except DomainError as error:
            errors.append(error)
            continue
        if customer_id is not None and row.customer_id != customer_id:
            errors.append(problem(field, ErrorCode.WRONG_CUSTOMER, wrong_customer))
    if data.get("product_type_id") is not None:
        try:
            await _find(session, ProductType, data["product_type_id"], "productTypeId")
        except DomainError as error:
            errors.append(error)
    records.collect(*errors)


async def create(
    session: AsyncSession, actor: Principal, data: Mapping[str, Any], *path: str
) -> InventoryItem:
    """A new ACTIVE item; `path` prefixes problems when the item is part of a larger input."""
    try:
        data = normalise(data)
        only(data, CREATE_FIELDS, "Not a field of a new inventory item.")
        check(data, creating=True)
        await check_references(session, data["customer_id"], data)
    except DomainError as error:
        raise error.under(*path) from error
    item = InventoryItem(id=uuid.uuid4(), tenant_id=actor.tenant_id, **data)
    return await records.create(session, actor, item, ENTITY, *path)


async def update(
    session: AsyncSession,
    actor: Principal,
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> InventoryItem:
    changes = normalise(changes)
    only(changes, UPDATE_FIELDS, "Not changed by an update: use a transfer to change the site.")
    check(changes, creating=False)
    item = await records.load_for_update(session, InventoryItem, row_id, ENTITY, expected_version)
    status = changes.get("status")
    if status is not None and status != item.status:
        if item.status == InventoryItemStatus.REPLACED.value:
            raise problem("status", ErrorCode.INVALID_STATE, "A replaced item stays REPLACED.")
        records.collect(validation.one_of(status, "status", SETTABLE_STATUSES))
    await check_references(session, item.customer_id, changes)
    await records.update(session, actor, item, changes, ENTITY)
    return item


async def delete(session: AsyncSession, actor: Principal, row_id: uuid.UUID) -> None:
    # Deleting a replacement clears the old item's pointer (ON DELETE SET NULL); the old item
    # stays REPLACED, which its check constraint allows.
    item = await records.get(session, InventoryItem, row_id, ENTITY)
    await records.delete(session, actor, item, ENTITY)
