"""SQL expressions that write values exactly as the GraphQL layer writes them: ISO 8601
times, opaque global ids and keyset cursors (see schema.ids and query.pagination)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Text, case, cast, func, literal_column

from clientbase.services.query.pagination import SortKey


def sql_string(value: str) -> ColumnElement[Any]:
    """A string literal in the statement: json_build_object's keys and type names must be
    typed, which bound parameters of a variadic "any" function are not."""
    return literal_column("'" + value.replace("'", "''") + "'")


def iso_datetime(column: Any, separator: str = "T") -> ColumnElement[str]:
    """`datetime.isoformat()` of a UTC timestamptz (`str()` with a space separator):
    microseconds only when there are any, and `+00:00`."""
    utc = func.timezone("UTC", column)
    fraction = case(
        (cast(func.extract("microseconds", column), BigInteger) % 1000000 != 0,
         literal_column("'.'").concat(func.to_char(utc, "US"))),
        else_=literal_column("''"),
    )  # fmt: skip
    seconds = func.to_char(utc, f'YYYY-MM-DD"{separator}"HH24:MI:SS')
    return seconds.concat(fraction).concat(literal_column("'+00:00'"))


def _base64url(data: ColumnElement[Any]) -> ColumnElement[str]:
    # PostgreSQL's base64 breaks lines every 76 characters; Python's does not.
    encoded = func.replace(func.encode(func.convert_to(data, "UTF8"), "base64"), func.chr(10), "")
    return func.translate(encoded, "+/", "-_")


def global_id(type_name: str, id_column: Any) -> ColumnElement[str]:
    """schema.ids.to_global_id: base64url of "Type:uuid", without padding."""
    raw = sql_string(type_name + ":").concat(cast(id_column, Text))
    return func.rtrim(_base64url(raw), "=")


def _cursor_value(row: Any, key: SortKey) -> ColumnElement[str]:
    column = getattr(row, key.attribute)
    python_type = key.column.type.python_type
    if python_type is dt.datetime:
        column = iso_datetime(column, " ")
    elif python_type is uuid.UUID:
        column = cast(column, Text)
    return func.coalesce(cast(func.to_json(column), Text), literal_column("'null'"))


def cursor(row: Any, sort: Sequence[SortKey]) -> ColumnElement[str]:
    """pagination.encode_cursor: base64url of the compact JSON array of the sort values."""
    values: ColumnElement[Any] = literal_column("'['")
    for index, key in enumerate(sort):
        if index:
            values = values.concat(literal_column("','"))
        values = values.concat(_cursor_value(row, key))
    return _base64url(values.concat(literal_column("']'")))
