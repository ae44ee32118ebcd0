"""Import types: the input of importStart, a row error, and the Job fields of an import."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from clientbase import models
from clientbase.schema.common import Connection, page_request
from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info, root_connection
from clientbase.services.imports import service as imports
from clientbase.services.imports.catalog import ImportEntity as ImportEntityValue
from clientbase.services.imports.entities.base import ImportMode as ImportModeValue
from clientbase.services.imports.sniff import FileFormat

ImportEntity = strawberry.enum(ImportEntityValue, name="ImportEntity")
ImportMode = strawberry.enum(
    ImportModeValue,
    name="ImportMode",
    description="INSERT: an existing key is an error for that row. UPSERT: update it.",
)
ImportFormat = strawberry.enum(FileFormat, name="ImportFormat")


@strawberry.input(description="One column of the file and the field it feeds.")
class ImportColumnMappingInput:
    column: str = strawberry.field(description="The column's header, as in the file.")
    field: str | None = strawberry.field(
        description="A field of the entity (e.g. legalName); null ignores the column."
    )


@strawberry.input
class ImportStartInput:
    file_id: strawberry.ID = strawberry.field(description="An uploaded File (POST /files).")
    entity: ImportEntity  # type: ignore[valid-type]
    mode: ImportMode = ImportModeValue.INSERT  # type: ignore[valid-type]
    dry_run: bool = strawberry.field(
        default=False, description="Run everything, count and report, write no record."
    )
    format: ImportFormat | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Detected from the content when null."
    )
    mapping: list[ImportColumnMappingInput] | None = strawberry.field(
        default=None, description="Overrides the automatic mapping by header, column by column."
    )
    duplicate_policy: str | None = strawberry.field(
        default=None,
        description="CREATE (the default), SKIP or FLAG: what becomes of a new customer that "
        "is a likely duplicate of a stored one: created, not created (a DUPLICATE row error "
        "names the customer), or created and recorded as a duplicate candidate.",
    )


@strawberry.type(description="Why one row of an import was refused.")
class ImportRowError:
    row_number: int = strawberry.field(description="As a spreadsheet counts: the header is 1.")
    column: str | None = strawberry.field(description="The file's header of the cell at fault.")
    code: str
    message: str
    raw: list[str] | None = strawberry.field(description="The row's cells as read.")
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.ImportRowError) -> ImportRowError:
        raw = [str(cell) for cell in row.raw] if row.raw is not None else None
        return cls(row_number=row.row_number, column=row.column, code=row.code,
                   message=row.message, raw=raw, created_at=row.created_at)  # fmt: skip


async def resolve_row_errors(
    root: Any, info: Info, first: int | None = None, after: str | None = None
) -> Connection[ImportRowError]:
    """The rows an import refused, in file order (a rollback's: the records it left)."""
    return await root_connection(
        info,
        imports.row_errors_query(root.row.id),
        imports.ROW_ERROR_SORT,
        page_request(first, after),
        ImportRowError.from_row,
    )


def resolve_error_report_url(root: Any) -> str | None:
    """Where to download the refused rows as CSV with an `error` column, once it ended."""
    file_id = imports.error_report_file_id(root.row)
    return f"/files/{to_global_id('File', file_id)}" if file_id else None
