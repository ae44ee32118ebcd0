"""Export types: the input of exportStart (with the connections' own filter inputs), and the
Job fields of an export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from clientbase.schema.contact import ContactFilter
from clientbase.schema.contract import ContractFilter
from clientbase.schema.customer import CustomerFilter
from clientbase.schema.filters import filter_tree
from clientbase.schema.ids import to_global_id
from clientbase.schema.inventory import InventoryItemFilter
from clientbase.schema.site import SiteFilter
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.exports import service as exports
from clientbase.services.exports.catalog import ExportEntity as ExportEntityValue
from clientbase.services.exports.catalog import ExportFormat as ExportFormatValue

ExportEntity = strawberry.enum(ExportEntityValue, name="ExportEntity")
ExportFormat = strawberry.enum(
    ExportFormatValue,
    name="ExportFormat",
    description="CSV (UTF-8, cells a spreadsheet would run as formulas prefixed with '), "
    "XLSX (one sheet, text cells as strings) or JSONL (one object per row).",
)


@strawberry.input(
    one_of=True,
    description="The rows to export: the same filter as the entity's connection takes.",
)
class ExportFilter:
    customers: CustomerFilter | None = strawberry.UNSET
    contacts: ContactFilter | None = strawberry.UNSET
    sites: SiteFilter | None = strawberry.UNSET
    contracts: ContractFilter | None = strawberry.UNSET
    inventory_items: InventoryItemFilter | None = strawberry.UNSET


_FILTER_ENTITIES = {
    "customers": ExportEntityValue.CUSTOMERS,
    "contacts": ExportEntityValue.CONTACTS,
    "sites": ExportEntityValue.SITES,
    "contracts": ExportEntityValue.CONTRACTS,
    "inventory_items": ExportEntityValue.INVENTORY_ITEMS,
}
_INPUT_NAMES = {"inventory_items": "inventoryItems"}


@strawberry.input
class ExportStartInput:
    entity: ExportEntity  # type: ignore[valid-type]
    format: ExportFormat = ExportFormatValue.CSV  # type: ignore[valid-type]
    filter: ExportFilter | None = None
    search: str | None = strawberry.field(
        default=None, description="The keyword search of the entity's connection."
    )
    columns: list[str] | None = strawberry.field(
        default=None,
        description="Columns in file order, by the import's field names (legal_name or "
        "legalName); null for every column. Headers are the import's field names, so the "
        "file can be imported back.",
    )
    bom: bool = strawberry.field(
        default=False, description="CSV only: start with a UTF-8 byte order mark."
    )


def export_filter_tree(entity: ExportEntityValue, value: ExportFilter | None) -> Any:
    """The filter of the chosen entity as the services' tree; a problem if it is another's."""
    if value is None:
        return None
    for name, for_entity in _FILTER_ENTITIES.items():
        given = getattr(value, name)
        if given is strawberry.UNSET or given is None:
            continue
        if for_entity is not entity:
            field = _INPUT_NAMES.get(name, name)
            raise problem(("filter", field), ErrorCode.INVALID,
                          f"This filter is for {for_entity.value}; the export is of "
                          f"{entity.value}.")  # fmt: skip
        return filter_tree(given)
    return None


def resolve_download_url(root: Any) -> str | None:
    """Where to download the file of a successful export (same tenant only, until
    downloadExpiresAt)."""
    result = exports.result_of(root.row)
    return f"/files/{to_global_id('File', result.file_id)}" if result else None


def resolve_download_expires_at(root: Any) -> dt.datetime | None:
    """When the export's download link stops working."""
    result = exports.result_of(root.row)
    return result.expires_at if result else None
