"""What happens to an installed item besides edits: a transfer to another site of its
customer, and a replacement by a new device that takes its place."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.inventory_item import InventoryItem, InventoryItemStatus
from clientbase.services import records, validation
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.inventory.service import ENTITY, check_references, normalise, only

REPLACED = InventoryItemStatus.REPLACED.value
REPLACE_FIELDS = frozenset({"serial_number", "product_type_id", "description", "notes"})


async def _movable(session: AsyncSession, row_id: uuid.UUID, doing: str) -> InventoryItem:
    # FOR UPDATE: two concurrent transfers or replacements of one item queue up, so the second
    # sees the first's outcome (e.g. REPLACED) instead of overwriting it.
    item = await records.load_for_update(session, InventoryItem, row_id, ENTITY, None)
    if item.status == REPLACED:
        raise problem("id", ErrorCode.INVALID_STATE, f"A replaced item cannot be {doing}.")
    return item


async def transfer(
    session: AsyncSession, actor: Principal, row_id: uuid.UUID, site_id: uuid.UUID
) -> InventoryItem:
    """Move the item to another site of its customer; audited as InventoryItem.transfer."""
    item = await _movable(session, row_id, "moved")
    await check_references(session, item.customer_id, {"site_id": site_id})
    await records.update(session, actor, item, {"site_id": site_id}, ENTITY, action="transfer")
    return item


async def replace(
    session: AsyncSession, actor: Principal, row_id: uuid.UUID, data: Mapping[str, Any]
) -> InventoryItem:
    """Swap the item for a new device at the same customer, site and contract. The old item
    becomes REPLACED and points to the new one, which is returned."""
    data = normalise(data)
    only(data, REPLACE_FIELDS, "Not a field of a replacement.")
    records.collect(
        validation.text(data.get("serial_number"), "serialNumber", required=True, max_length=128),
        validation.text(data.get("description"), "description", max_length=2000),
        validation.text(data.get("notes"), "notes", max_length=10000),
    )
    old = await _movable(session, row_id, "replaced again")
    await check_references(session, old.customer_id, data)
    new = InventoryItem(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        customer_id=old.customer_id,
        contract_id=old.contract_id,
        site_id=old.site_id,
        product_type_id=data.get("product_type_id") or old.product_type_id,
        serial_number=data["serial_number"],
        # The same kind of device unless told otherwise; notes are about the new one only.
        description=data.get("description") or old.description,
        notes=data.get("notes"),
    )
    # The new row first: the old one's replaced_by_id refers to it.
    await records.create(session, actor, new, ENTITY)
    changes = {"status": REPLACED, "replaced_by_id": new.id}
    await records.update(session, actor, old, changes, ENTITY, action="replace")
    return new
