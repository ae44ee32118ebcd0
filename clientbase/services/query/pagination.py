"""Keyset pagination with opaque cursors, for one list or for many parents in one statement.

A cursor holds the sort values of a row, so a page never skips or repeats rows
when others are inserted meanwhile; the row id is always the last sort key, which
makes every order total and stable.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from clientbase.services.errors import ErrorCode, problem

R = TypeVar("R")
DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @property
    def backwards(self) -> bool:
        return self.last is not None and self.first is None

    @property
    def size(self) -> int:
        if self.backwards:
            return self.last or 0
        return DEFAULT_PAGE if self.first is None else self.first

    def validate(self) -> PageRequest:
        for name, value in (("first", self.first), ("last", self.last)):
            if value is not None and value < 0:
                raise problem(name, ErrorCode.INVALID, f"`{name}` must not be negative.")
            if value is not None and value > MAX_PAGE:
                raise problem(
                    name, ErrorCode.LIMIT_EXCEEDED, f"`{name}` is at most {MAX_PAGE}, got {value}."
                )
        if self.first is not None and self.last is not None:
            raise problem("last", ErrorCode.INVALID, "Give `first` or `last`, not both.")
        return self


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term: the column, the row attribute that holds its value, the direction."""

    column: Any  # a mapped attribute or column expression
    attribute: str
    descending: bool = False


@dataclass
class Page(Generic[R]):
    rows: list[R]
    cursors: list[str]
    has_next: bool
    has_previous: bool


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | uuid.UUID):
        return str(value)
    return value


def encode_cursor(row: Any, sort: Sequence[SortKey]) -> str:
    values = [_encode_value(getattr(row, key.attribute)) for key in sort]
    # UTF-8 rather than \u escapes: PostgreSQL writes the same bytes for documents it builds.
    text = json.dumps(values, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode_value(raw: Any, key: SortKey) -> Any:
    python_type = key.column.type.python_type
    if raw is None:  # sort keys are never null: no cursor of ours holds one
        raise ValueError("null in a cursor")
    if isinstance(raw, python_type):
        return raw
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat(raw)
    if python_type is dt.date:
        return dt.date.fromisoformat(raw)
    return python_type(raw)


def decode_cursor(cursor: str, sort: Sequence[SortKey], argument: str) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(raw, list) or len(raw) != len(sort):
            raise ValueError("cursor shape")
        return [_decode_value(value, key) for value, key in zip(raw, sort, strict=True)]
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise problem(
            argument, ErrorCode.INVALID, f"`{argument}` is not a cursor of this list."
        ) from exc


def beyond(sort: Sequence[SortKey], values: Sequence[Any], forward: bool) -> ColumnElement[bool]:
    """Rows strictly after (forward) or before the position `values` in `sort` order."""
    terms = []
    for index, key in enumerate(sort):
        greater = forward != key.descending  # descending flips the comparison
        comparison = key.column > values[index] if greater else key.column < values[index]
        equal_prefix = [sort[i].column == values[i] for i in range(index)]
        terms.append(and_(*equal_prefix, comparison))
    return or_(*terms)


def ordering(sort: Sequence[SortKey], reverse: bool = False) -> list[ColumnElement[Any]]:
    return [key.column.desc() if key.descending != reverse else key.column.asc() for key in sort]


def windowed(stmt: Select[Any], sort: Sequence[SortKey], page: PageRequest) -> Select[Any]:
    if page.after is not None:
        stmt = stmt.where(beyond(sort, decode_cursor(page.after, sort, "after"), forward=True))
    if page.before is not None:
        stmt = stmt.where(beyond(sort, decode_cursor(page.before, sort, "before"), forward=False))
    return stmt


def _page_of(rows: list[Any], sort: Sequence[SortKey], page: PageRequest) -> Page[Any]:
    more = len(rows) > page.size
    rows = rows[: page.size]
    if page.backwards:
        rows.reverse()
        has_next, has_previous = page.before is not None, more
    else:
        has_next, has_previous = more, page.after is not None
    return Page(rows, [encode_cursor(r, sort) for r in rows], has_next, has_previous)


async def fetch_page(
    session: AsyncSession, stmt: Select[Any], sort: Sequence[SortKey], page: PageRequest
) -> Page[Any]:
    """One page of the entity `stmt` selects, ordered by `sort`."""
    page.validate()
    query = windowed(stmt, sort, page).order_by(*ordering(sort, page.backwards))
    rows = list((await session.scalars(query.limit(page.size + 1))).all())
    return _page_of(rows, sort, page)


async def fetch_pages_by_parent(
    session: AsyncSession,
    stmt: Select[Any],
    entity: Any,
    parent_column: Any,
    parent_ids: Sequence[Hashable],
    sort: Sequence[SortKey],
    page: PageRequest,
) -> dict[Hashable, Page[Any]]:
    """A page per parent, all in one statement: row_number() over each parent's rows."""
    page.validate()
    position = func.row_number().over(
        partition_by=parent_column, order_by=ordering(sort, page.backwards)
    )
    inner = (
        windowed(stmt, sort, page)
        .where(parent_column.in_(list(parent_ids)))
        .add_columns(position.label("position"))
        .subquery()
    )
    row = aliased(entity, inner)
    query = (
        select(row)
        .where(inner.c.position <= page.size + 1)
        .order_by(inner.c[parent_column.key], inner.c.position)
    )
    grouped: dict[Hashable, list[Any]] = {parent: [] for parent in parent_ids}
    for found in (await session.scalars(query)).all():
        grouped[getattr(found, parent_column.key)].append(found)
    return {parent: _page_of(rows, sort, page) for parent, rows in grouped.items()}


async def count(session: AsyncSession, stmt: Select[Any]) -> int:
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return int(total or 0)


async def count_by_parent(
    session: AsyncSession,
    stmt: Select[Any],
    parent_column: Any,
    parent_ids: Sequence[Hashable],
) -> dict[Hashable, int]:
    inner = stmt.where(parent_column.in_(list(parent_ids))).order_by(None).subquery()
    parent = inner.c[parent_column.key]
    rows = (await session.execute(select(parent, func.count()).group_by(parent))).all()
    counts: dict[Hashable, int] = dict.fromkeys(parent_ids, 0)
    counts.update({key: int(value) for key, value in rows})
    return counts
