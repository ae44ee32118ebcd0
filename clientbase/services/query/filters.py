"""Typed filters compiled to SQL: string, date, enum and boolean operators, and/or/not, and
one-hop relation filters (`items whose customer has code X`) as EXISTS subqueries. A tree
goes to JSON and back (`to_json`, `from_json`) for jobs that filter in a worker.

A filter is a plain mapping, e.g. ``{"code": {"starts_with": "C1"}, "or_": [...]}``; each
entity declares which fields may be filtered and how, so nothing else reaches SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal, not_, or_, true

from clientbase.services.errors import ErrorCode, problem

Filter = Mapping[str, Any]


# A mapped attribute (Customer.code) or any column expression.
Column = Any


@dataclass(frozen=True)
class Field:
    """A filterable column. `kind` picks the operators: string, date, enum, bool, id."""

    column: Column
    kind: str = "string"


@dataclass(frozen=True)
class Relation:
    """A one-hop relation: `link` joins the related table to the outer row."""

    fields: Mapping[str, Field]
    link: Callable[[], ColumnElement[bool]]


FieldMap = Mapping[str, Field | Relation]


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _folded(value: Column) -> ColumnElement[Any]:
    # Case- and accent-blind: "avila" finds "Ávila" whatever the server's locale (lower()
    # alone folds only ASCII under the C locale).
    return func.lower(func.unaccent(value))


def _operator(column: Column, kind: str, op: str, value: Any) -> ColumnElement[bool]:
    if op == "is_null":
        return column.is_(None) if value else column.is_not(None)  # type: ignore[no-any-return]
    if op == "eq":
        return column == value  # type: ignore[no-any-return]
    if op == "ne":
        return column != value  # type: ignore[no-any-return]
    if op == "in_":
        return column.in_(list(value))  # type: ignore[no-any-return]
    if kind == "string" and op == "contains":
        return _folded(column).like(_folded(literal(f"%{escape_like(value)}%")), escape="\\")
    if kind == "string" and op == "starts_with":
        return _folded(column).like(_folded(literal(f"{escape_like(value)}%")), escape="\\")
    if kind == "date" and op in ("gt", "gte", "lt", "lte"):
        comparisons = {"gt": column > value, "gte": column >= value,
                       "lt": column < value, "lte": column <= value}  # fmt: skip
        return comparisons[op]  # type: ignore[no-any-return]
    raise problem(("filter", op), ErrorCode.INVALID, f"`{op}` does not apply to this field.")


def compile_filter(tree: Filter | None, fields: FieldMap) -> ColumnElement[bool]:
    """The WHERE clause for `tree`; an empty or missing filter matches every row."""
    if not tree:
        return true()
    clauses: list[ColumnElement[bool]] = []
    for name, value in tree.items():
        if value is None:
            continue
        if name == "and_":
            clauses.append(and_(true(), *(compile_filter(t, fields) for t in value)))
        elif name == "or_":
            if value:
                clauses.append(or_(*(compile_filter(t, fields) for t in value)))
        elif name == "not_":
            clauses.append(not_(compile_filter(value, fields)))
        else:
            spec = fields.get(name)
            if spec is None:
                raise problem(("filter", name), ErrorCode.INVALID, f"Cannot filter on `{name}`.")
            if isinstance(spec, Relation):
                related = compile_filter(value, spec.fields)
                clauses.append(exists().where(spec.link(), related))
            else:
                for op, operand in value.items():
                    if operand is not None:
                        clauses.append(_operator(spec.column, spec.kind, op, operand))
    return and_(true(), *clauses)


def to_json(tree: Any) -> Any:
    """A filter tree in JSON terms (ids and dates as text), to be stored with a job."""
    if isinstance(tree, Mapping):
        return {name: to_json(value) for name, value in tree.items()}
    if isinstance(tree, list | tuple):
        return [to_json(value) for value in tree]
    if isinstance(tree, uuid.UUID):
        return str(tree)
    if isinstance(tree, dt.date):
        return tree.isoformat()
    return tree


def _typed(kind: str, operand: Any) -> Any:
    if isinstance(operand, list):
        return [_typed(kind, value) for value in operand]
    if not isinstance(operand, str):
        return operand
    if kind == "id":
        return uuid.UUID(operand)
    if kind == "date":
        parse = dt.datetime.fromisoformat if "T" in operand else dt.date.fromisoformat
        return parse(operand)
    return operand


def from_json(tree: Any, fields: FieldMap) -> Any:
    """The filter tree `to_json` gave, with ids and dates typed again for `fields`."""
    if not isinstance(tree, Mapping):
        return tree
    typed: dict[str, Any] = {}
    for name, value in tree.items():
        spec = fields.get(name)
        if name in ("and_", "or_") and isinstance(value, list):
            typed[name] = [from_json(item, fields) for item in value]
        elif name == "not_":
            typed[name] = from_json(value, fields)
        elif isinstance(spec, Relation):
            typed[name] = from_json(value, spec.fields)
        elif isinstance(spec, Field) and isinstance(value, Mapping):
            typed[name] = {op: operand if op == "is_null" else _typed(spec.kind, operand)
                           for op, operand in value.items()}  # fmt: skip
        else:
            typed[name] = value
    return typed
