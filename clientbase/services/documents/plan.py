"""A selection tree as the document builder takes it: which columns, relations and pages of
which entity go under which response keys, in response order.

The GraphQL layer produces it; nothing here knows GraphQL. Every key is a response key
(an alias or a field name); the builder emits keys in the order given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clientbase.services.query.pagination import PageRequest


@dataclass(frozen=True)
class Value:
    """A column of the row; `datetime` columns are written as ISO 8601 with `T`."""

    key: str
    column: str
    kind: str = "plain"  # plain | datetime


@dataclass(frozen=True)
class Constant:
    """A fixed string (a type name)."""

    key: str
    value: str


@dataclass(frozen=True)
class GlobalId:
    """The row's opaque global id for its entity."""

    key: str


@dataclass(frozen=True)
class Group:
    """An object made of the row's own columns, null when all `columns` are null."""

    key: str
    columns: tuple[str, ...]
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class ToOne:
    """The row of `entity` whose id is in this row's `column` (null when there is none)."""

    key: str
    entity: str
    column: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class TotalCount:
    key: str


@dataclass(frozen=True)
class PageFlag:
    """hasNextPage, hasPreviousPage, startCursor or endCursor."""

    key: str
    which: str


@dataclass(frozen=True)
class PageInfo:
    key: str
    parts: tuple[PageFlag | Constant, ...]


@dataclass(frozen=True)
class Cursor:
    key: str


@dataclass(frozen=True)
class EdgeNode:
    key: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Edges:
    key: str
    parts: tuple[Cursor | EdgeNode | Constant, ...]


@dataclass(frozen=True)
class Nodes:
    key: str
    parts: tuple[Part, ...]


PagePart = TotalCount | PageInfo | Edges | Nodes | Constant


@dataclass(frozen=True)
class Page:
    """A keyset page of `entity` (under this row when `parent_column` is set), as the list
    services filter, search and order it."""

    key: str
    entity: str
    page: PageRequest
    parts: tuple[PagePart, ...]
    parent_column: str | None = None
    filter: Any = None
    order: tuple[tuple[str, bool], ...] = ()
    search: str | None = None


@dataclass(frozen=True)
class One:
    """The row of `entity` whose `column` equals `value`, or null."""

    key: str
    entity: str
    column: str
    value: Any
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Count:
    """contacts, sites, contracts or items of the customer row."""

    key: str
    which: str


@dataclass(frozen=True)
class Breakdown:
    """contractsByStatus, itemsByStatus or itemsByProductType of the customer row: a list of
    objects whose `parts` are Constants or Values of `status`, `count`, `productTypeId` and
    `productTypeName`."""

    key: str
    which: str
    parts: tuple[Value | Constant, ...]


@dataclass(frozen=True)
class Overview:
    """The customer's counts (services.customer.overview), in one object."""

    key: str
    parts: tuple[Count | Breakdown | Constant, ...]


Part = Value | Constant | GlobalId | Group | ToOne | Page | Overview
Root = Page | One
