"""Compile a plan into one SELECT whose single value is the response JSON, and run it.

Objects are json_build_object in selection order, pages are json_agg over a keyset window
of the list services' own statements, relations are correlated subqueries: the whole tree
is one statement, whatever its depth, under the session's tenant and row-level security.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    Text,
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
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from clientbase.services.documents import plan as p
from clientbase.services.documents.entities import ENTITIES
from clientbase.services.documents.json_sql import cursor, global_id, iso_datetime, sql_string
from clientbase.services.query.pagination import ordering, windowed

# json_build_object takes at most 100 arguments: 50 keys.
MAX_KEYS = 50


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
    size = plan.page.size
    position = func.row_number().over(order_by=ordering(sort)).label("position")
    window = windowed(base, sort, plan.page).add_columns(position)
    window = window.order_by(*ordering(sort)).limit(size + 1)
    # LATERAL: the window refers to the parent row of the enclosing statement.
    inner = window.lateral() if parent is not None else window.subquery()
    row = aliased(model, inner)
    in_page = inner.c.position <= size

    def cursors(descending: bool) -> ColumnElement[Any]:
        order = inner.c.position.desc() if descending else inner.c.position
        gathered = func.array_agg(aggregate_order_by(cursor(row, sort), order)).filter(in_page)
        return type_coerce(gathered, ARRAY(Text))[1]

    def agg(value: ColumnElement[Any]) -> ColumnElement[Any]:
        gathered = func.json_agg(aggregate_order_by(value, inner.c.position)).filter(in_page)
        return func.coalesce(gathered, literal_column("'[]'::json"))

    flags = {
        "hasNextPage": func.count() > size,
        "hasPreviousPage": true() if plan.page.after is not None else false(),
        "startCursor": cursors(descending=False),
        "endCursor": cursors(descending=True),
    }
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
    """The one statement for a root field: a single row whose single column is its JSON."""
    if isinstance(root, p.Page):
        return select(cast(_page(root, None).scalar_subquery(), Text))
    row = aliased(ENTITIES[root.entity].model)
    found = select(cast(_object(root.parts, row, root.entity), Text))
    return found.where(getattr(row, root.column) == root.value)


async def fetch_text(session: AsyncSession, stmt: Select[Any]) -> str | None:
    """The JSON text `stmt` built, or None when the root field is null."""
    value = await session.scalar(stmt)
    return None if value is None else str(value)
