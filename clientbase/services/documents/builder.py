"""Compile a plan into one SELECT whose single value is the response JSON, and run it.

Objects are json_build_object in selection order, pages are json_agg over a keyset window
of the list services' own statements, relations are correlated subqueries: the whole tree
is one statement, whatever its depth, under the session's tenant and row-level security.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    Text,
    bindparam,
    case,
    cast,
    false,
    func,
    inspect,
    literal_column,
    null,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from clientbase.services.documents import cursors as positions
from clientbase.services.documents import filter_values
from clientbase.services.documents import plan as p
from clientbase.services.documents.entities import ENTITIES
from clientbase.services.documents.json_sql import cursor, global_id, iso_datetime, sql_string
from clientbase.services.documents.overview import overview
from clientbase.services.query.pagination import beyond, ordering

# json_build_object takes at most 100 arguments: 50 keys.
MAX_KEYS = 50
ROOT_VALUE = "root_value"


class TooWideError(ValueError):
    """An object selects more keys than one json_build_object can hold."""


def _object(parts: tuple[p.Part, ...], row: Any, entity: str) -> ColumnElement[Any]:
    if len(parts) > MAX_KEYS:
        raise TooWideError(f"{len(parts)} keys in one object")
    arguments: list[Any] = []
    for part in parts:
        arguments += [sql_string(part.key), _part(part, row, entity)]
    return func.json_build_object(*arguments)


def _part(part: p.Part, row: Any, entity: str) -> Any:
    if isinstance(part, p.Value):
        column = getattr(row, part.column)
        return iso_datetime(column) if part.kind == "datetime" else column
    if isinstance(part, p.Constant):
        return sql_string(part.value)
    if isinstance(part, p.GlobalId):
        return global_id(entity, row.id)
    if isinstance(part, p.Group):
        present = or_(*(getattr(row, column).is_not(None) for column in part.columns))
        return case((present, _object(part.parts, row, entity)), else_=null())
    if isinstance(part, p.ToOne):
        target: Any = aliased(ENTITIES[part.entity].model)
        found = select(_object(part.parts, target, part.entity))
        return found.where(target.id == getattr(row, part.column)).scalar_subquery()
    if isinstance(part, p.Overview):
        return overview(part, row)
    return _page(part, row).scalar_subquery()


def _page(plan: p.Page, parent: Any | None) -> Select[Any]:
    entity = ENTITIES[plan.entity]
    model = entity.model
    sort = entity.sort_keys(list(plan.order) or None)
    base = entity.list_query(plan.filter, plan.search)
    if parent is not None and plan.parent_column is not None:
        # Correlated explicitly: a statement in FROM does not correlate by itself.
        base = base.where(getattr(model, plan.parent_column) == parent.id)
        base = base.correlate(inspect(parent).selectable)
    page_request = plan.page
    size, backwards = page_request.size, page_request.backwards
    # Backwards (`last`): the window runs in reverse sort order from `before`; the page is
    # written in sort order again (positions descending).
    position = func.row_number().over(order_by=ordering(sort, backwards)).label("position")
    window = base
    for bound, forward in ((page_request.after, True), (page_request.before, False)):
        # Cursors arrive lifted (`prepare`): pages after or before any cursor share the
        # statement, the position a parameter.
        if bound is not None:
            window = window.where(beyond(sort, positions.placeholders(bound, sort), forward))
    window = window.add_columns(position)
    window = window.order_by(*ordering(sort, backwards)).limit(size + 1)
    # LATERAL: the window refers to the parent row of the enclosing statement.
    inner = window.lateral() if parent is not None else window.subquery()
    row = aliased(model, inner)
    in_page = inner.c.position <= size
    in_sort_order = inner.c.position.desc() if backwards else inner.c.position
    against_sort_order = inner.c.position if backwards else inner.c.position.desc()

    def first_cursor(order: ColumnElement[Any]) -> ColumnElement[Any]:
        gathered = func.array_agg(aggregate_order_by(cursor(row, sort), order)).filter(in_page)
        return type_coerce(gathered, ARRAY(Text))[1]

    def agg(value: ColumnElement[Any]) -> ColumnElement[Any]:
        gathered = func.json_agg(aggregate_order_by(value, in_sort_order)).filter(in_page)
        return func.coalesce(gathered, literal_column("'[]'::json"))

    more = func.count() > size
    flags = {
        "hasNextPage": (true() if page_request.before is not None else false()) if backwards
        else more,
        "hasPreviousPage": more if backwards
        else (true() if page_request.after is not None else false()),
        "startCursor": first_cursor(in_sort_order),
        "endCursor": first_cursor(against_sort_order),
    }  # fmt: skip
    arguments: list[Any] = []
    for part in plan.parts:
        arguments.append(sql_string(part.key))
        if isinstance(part, p.Constant):
            arguments.append(sql_string(part.value))
        elif isinstance(part, p.TotalCount):
            counted = base.with_only_columns(func.count(), maintain_column_froms=True)
            arguments.append(counted.order_by(None).scalar_subquery())
        elif isinstance(part, p.PageInfo):
            info: list[Any] = []
            for flag in part.parts:
                value = (
                    sql_string(flag.value) if isinstance(flag, p.Constant) else flags[flag.which]
                )
                info += [sql_string(flag.key), value]
            arguments.append(func.json_build_object(*info))
        elif isinstance(part, p.Nodes):
            arguments.append(agg(_object(part.parts, row, plan.entity)))
        else:
            edge: list[Any] = []
            for piece in part.parts:
                edge.append(sql_string(piece.key))
                if isinstance(piece, p.Cursor):
                    edge.append(cursor(row, sort))
                elif isinstance(piece, p.Constant):
                    edge.append(sql_string(piece.value))
                else:
                    edge.append(_object(piece.parts, row, plan.entity))
            arguments.append(agg(func.json_build_object(*edge)))
    if len(arguments) > 2 * MAX_KEYS:
        raise TooWideError(f"{len(arguments) // 2} keys in one connection")
    # GROUP BY (): one row even when the window is empty and nothing else aggregates.
    page = select(func.json_build_object(*arguments)).select_from(inner)
    return page.group_by(literal_column("()"))


def statement(root: p.Root) -> Select[Any]:
    """The one statement for a root field: a single row whose single column is its JSON.
    A root row's value is the parameter ROOT_VALUE, so lookups of any id share it; cursors
    must have been lifted into parameters (`cursors.lift`, as `prepare` does)."""
    if isinstance(root, p.Page):
        return select(cast(_page(root, None).scalar_subquery(), Text))
    row = aliased(ENTITIES[root.entity].model)
    column = getattr(row, root.column)
    found = select(cast(_object(root.parts, row, root.entity), Text))
    return found.where(column == bindparam(ROOT_VALUE, type_=column.type))


@dataclass(frozen=True)
class Compiled:
    """A statement compiled for the driver: its SQL and its parameters in order."""

    sql: str
    names: tuple[str, ...]
    values: dict[str, Any]
    # The driver's conversions of the parameters given per request (cursor positions,
    # filter operands).
    processors: dict[str, Any]
    # Where the filter operands go, for a statement compiled with their sentinels; None
    # when one went somewhere it cannot be put back (then the statement is not used).
    slots: dict[str, filter_values.Slot] | None

    def parameters(
        self, root_value: Any, given: dict[str, Any], operands: list[Any] | None = None
    ) -> tuple[Any, ...]:
        return tuple(self._value(name, root_value, given, operands or []) for name in self.names)

    def _value(self, name: str, root_value: Any, given: dict[str, Any], operands: list[Any]) -> Any:
        if name == ROOT_VALUE:
            return root_value
        if operands and self.slots and name in self.slots:
            value = filter_values.operand(self.slots[name], operands)
        elif name in given:
            value = given[name]
        else:
            return self.values[name]
        process = self.processors.get(name)
        return process(value) if process is not None and value is not None else value


class StatementCache:
    """Compiled statements by plan, least recently used first out: building and compiling
    a nested statement costs tens of milliseconds of Python, running it far less."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, Compiled] = OrderedDict()

    def get(self, root: p.Root, dialect: Dialect) -> Compiled:
        key = repr(replace(root, value=None) if isinstance(root, p.One) else root)
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = _compile(statement(root), dialect)
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        return found


def _compile(stmt: Select[Any], dialect: Dialect) -> Compiled:
    # IN lists expanded now: the cache key (the plan) holds their values.
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    processors: Any = compiled._bind_processors  # what execute() would apply to each value
    values = {}
    for name, value in compiled.params.items():
        process = processors.get(name)
        values[name] = process(value) if process is not None and value is not None else value
    slots = filter_values.slots(compiled.params)
    given = {name: process for name, process in processors.items()
             if name.startswith(positions.PREFIX) or name in (slots or {})}  # fmt: skip
    return Compiled(str(compiled), tuple(compiled.positiontup or ()), values, given, slots)


CACHE = StatementCache()


def prepare(root: p.Root, dialect: Dialect) -> tuple[Compiled, tuple[Any, ...]]:
    """The compiled statement of a root field and its parameters (DomainError for a bad
    cursor, TooWideError for an object of too many keys)."""
    lifted, given = positions.lift(root)
    root_value = root.value if isinstance(root, p.One) else None
    shaped, operands = filter_values.lift(lifted)
    if operands:
        compiled = CACHE.get(shaped, dialect)
        if compiled.slots is not None and filter_values.covers(compiled.slots, len(operands)):
            return compiled, compiled.parameters(root_value, given, operands)
    compiled = CACHE.get(lifted, dialect)  # with the operands in it
    return compiled, compiled.parameters(root_value, given)


async def fetch(
    session: AsyncSession, compiled: Compiled, parameters: tuple[Any, ...]
) -> str | None:
    """The JSON text of a root field, or None when the field is null: one statement on the
    session's connection, in its transaction (so under its tenant)."""
    connection = await session.connection()
    result = await connection.exec_driver_sql(compiled.sql, parameters)
    text = result.scalar()
    return None if text is None else str(text)
