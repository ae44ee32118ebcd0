"""Inventory items: found by product type and serial number; customer, contract, site and
product type named by code, number, site name (within the customer) and type name."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contract import Contract
from clientbase.models.inventory_item import InventoryItem, InventoryItemStatus
from clientbase.models.product_type import ProductType
from clientbase.models.site import Site
from clientbase.services import records, validation
from clientbase.services.errors import CONSTRAINT_PROBLEMS, ErrorCode, problem
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import (
    EntityImport,
    ImportMode,
    fetch_by,
    fetch_by_pairs,
    table_of,
)
from clientbase.services.imports.entities.links import CUSTOMER_FIELDS, link_customers
from clientbase.services.imports.rows import Row, add_issue
from clientbase.services.inventory import service as inventory

RELATIONS = frozenset({*CUSTOMER_FIELDS, "contract_number", "site_name", "product_type"})
# Relation field -> the id column it gives.
IDS = {"contract_number": "contract_id", "site_name": "site_id",
       "product_type": "product_type_id"}  # fmt: skip

_WRONG_CONTRACT = CONSTRAINT_PROBLEMS["fk_inventory_item_customer_id_contract_id_contract"][2]


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


class InventoryImport(EntityImport):
    entity = ImportEntity.INVENTORY_ITEMS
    model = InventoryItem
    audit_entity = inventory.ENTITY
    relation_fields: ClassVar[frozenset[str]] = RELATIONS
    key_fields = (("serial_number",), ("product_type",))
    create_fields = (CUSTOMER_FIELDS, ("contract_number",), ("site_name",))

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        return inventory.normalise(data)

    def claims(self, row: Row) -> Iterable[Hashable]:
        return [("item", _text(row.values.get("product_type")), row.data.get("serial_number"))]

    def written_columns(self) -> set[str]:
        mapped = self.mapping.fields
        return super().written_columns() | (
            {"contract_id"} if "contract_number" in mapped else set()
        )

    async def resolve(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        await link_customers(self, session, rows)
        wanted_types = [_text(r.values.get("product_type")) for r in rows]
        types = await fetch_by(session, table_of(ProductType), "name", wanted_types)
        wanted_numbers = [_text(r.values.get("contract_number")) for r in rows]
        numbers = await fetch_by(session, table_of(Contract), "number", wanted_numbers)
        site_keys = [(r.data.get("customer_id"), _text(r.values.get("site_name"))) for r in rows]
        found_sites = await fetch_by_pairs(session, table_of(Site), ("customer_id", "name"),
                                           site_keys)  # fmt: skip
        for row, site_key in zip(rows, site_keys, strict=True):
            self._relate(row, "product_type", types, "product type named")
            self._relate(row, "contract_number", numbers, "contract numbered")
            contract = numbers.get(_text(row.values.get("contract_number")))
            customer_id = row.data.get("customer_id")
            if contract and customer_id and contract["customer_id"] != customer_id:
                add_issue(row, self.mapping, "contract_number", ErrorCode.WRONG_CUSTOMER.value,
                          _WRONG_CONTRACT)  # fmt: skip
            if customer_id is not None:
                self._relate(row, "site_name", {site_key[1]: found_sites.get(site_key)},
                             "site at this customer named")  # fmt: skip
        keys = [(r.data.get("product_type_id"), r.data.get("serial_number")) for r in rows]
        existing = await fetch_by_pairs(session, self.table, ("product_type_id", "serial_number"),
                                        keys, lock=True)  # fmt: skip
        for row, key in zip(rows, keys, strict=True):
            row.existing = existing.get(key)

    def _relate(self, row: Row, field: str, found: dict[Any, Any], what: str) -> None:
        value = _text(row.values.get(field))
        record = found.get(value) if value is not None else None
        row.data[IDS[field]] = record["id"] if record else None
        if value is not None and record is None:
            self.not_found(row, field, what, value)

    def check(self, row: Row) -> None:
        data = {k: v for k, v in row.data.items() if v is not None}
        existing = row.existing
        if existing is None:
            if data.get("status") == InventoryItemStatus.ACTIVE.value:
                del data["status"]  # every new item is ACTIVE; saying so is no mistake

            def create() -> None:
                inventory.only(
                    data, inventory.CREATE_FIELDS, "Not a field of a new inventory item."
                )
                inventory.check({k: data.get(k) for k in inventory.CREATE_FIELDS}, creating=True)

            if self.check_with(row, create):
                row.record = self.new_record(data)
            return
        if self.mode is ImportMode.INSERT:
            self.taken(row, "serial_number",
                       "uq_inventory_item_tenant_id_product_type_id_serial_number")  # fmt: skip
            return
        self._check_update(row, existing, data)

    def _check_update(self, row: Row, existing: dict[str, Any], data: dict[str, Any]) -> None:
        if data.get("customer_id", existing["customer_id"]) != existing["customer_id"]:
            field = next(f for f in CUSTOMER_FIELDS if f in self.mapping.fields)
            message = "The item belongs to another customer; an item never changes customer."
            add_issue(row, self.mapping, field, ErrorCode.WRONG_CUSTOMER.value, message)
        if data.get("site_id", existing["site_id"]) != existing["site_id"]:
            add_issue(row, self.mapping, "site_name", ErrorCode.INVALID.value,
                      "Not changed by an update: use a transfer to change the site.")  # fmt: skip
        changes = {k: v for k, v in data.items() if k in inventory.UPDATE_FIELDS}
        status = changes.get("status")

        def update() -> None:
            inventory.check(changes, creating=False)
            if status is not None and status != existing["status"]:
                if existing["status"] == InventoryItemStatus.REPLACED.value:
                    raise problem("status", ErrorCode.INVALID_STATE,
                                  "A replaced item stays REPLACED.")  # fmt: skip
                records.collect(validation.one_of(status, "status", inventory.SETTABLE_STATUSES))

        if self.check_with(row, update):
            row.record = self.updated_record(existing, changes)
