"""The SELECT of an export: the entity's connection query (same filter, same search), its
chosen columns over the relations' labels, in a stable order.

For CSV every cell is made text by PostgreSQL itself, the formula escape included, so
that COPY can stream the file without Python touching a row; the other formats read the
typed values through a server-side cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Select,
    String,
    Text,
    Uuid,
    case,
    cast,
    func,
    literal_column,
)
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.services.exports.catalog import ENTITIES, ExportEntity
from clientbase.services.formula import SQL_PATTERN
from clientbase.services.query.filters import Filter, from_json

# Constants as SQL text rather than parameters: an export without a filter is then plain
# SQL, which COPY takes as it is.
_APOSTROPHE = literal_column("''''", Text)
_UTC = literal_column("'UTC'", Text)
_ISO_DATE = literal_column("'YYYY-MM-DD'", Text)
_ISO_TIME = literal_column('\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\'', Text)


def as_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """The column as the text of a CSV cell: ISO dates and UTC times, true/false, and
    text a spreadsheet would run as a formula escaped with an apostrophe."""
    kind = column.type
    if isinstance(kind, Boolean | Uuid):
        return cast(column, Text)
    if isinstance(kind, DateTime):
        return func.to_char(func.timezone(_UTC, column), _ISO_TIME)
    if isinstance(kind, Date):
        return func.to_char(column, _ISO_DATE)
    if isinstance(kind, String):
        risky = column.op("~")(literal_column(SQL_PATTERN))
        return case((risky, _APOSTROPHE + column), else_=column)
    return cast(column, Text)


def decode_filter(entity: ExportEntity, stored: Any) -> Filter | None:
    """The filter tree stored with the job (JSON), typed again for the entity's fields."""
    return from_json(stored, ENTITIES[entity].fields) if stored else None


def export_query(
    entity: ExportEntity,
    columns: Sequence[str],
    filter_tree: Filter | None,
    search: str | None,
    *,
    text_cells: bool,
) -> Select[Any]:
    spec = ENTITIES[entity]
    source, available = spec.source()
    chosen = [
        (as_text(available[name]) if text_cells else available[name]).label(name)
        for name in columns
    ]
    order = [available[name] for name in (*spec.order, "id")]
    base = spec.list_query(filter_tree, search)
    return (
        base.with_only_columns(*chosen, maintain_column_froms=False)
        .select_from(source)
        .order_by(*order)
    )


def count_query(entity: ExportEntity, filter_tree: Filter | None, search: str | None
                ) -> Select[Any]:  # fmt: skip
    base = ENTITIES[entity].list_query(filter_tree, search)
    return base.with_only_columns(func.count(), maintain_column_froms=True)


def check_filter(entity: ExportEntity, filter_tree: Filter | None, search: str | None) -> None:
    """Compile the filter now, so that a field it cannot filter on is the caller's problem
    at once rather than a failed job later."""
    ENTITIES[entity].list_query(filter_tree, search)


def compiled(session: AsyncSession, statement: Select[Any]) -> tuple[str, list[Any]]:
    """The statement as SQL with $n placeholders and its parameters, for COPY."""
    bind = session.get_bind()
    sql = statement.compile(dialect=bind.dialect, compile_kwargs={"render_postcompile": True})
    names = sql.positiontup or []
    return str(sql), [sql.params[name] for name in names]
