"""Shapes shared by every type: Node, connections and page info, user errors, filters, Address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry

from clientbase.services.errors import DomainError, ErrorCode, Problem
from clientbase.services.query.pagination import Page, PageRequest

T = TypeVar("T")
UserErrorCode = strawberry.enum(ErrorCode, name="UserErrorCode", description="Stable error codes.")


@strawberry.interface(description="An object with an opaque global id.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many nodes match, across all pages.")
    async def total_count(self) -> int:
        return await self.counter()


def connection(
    page: Page[Any], convert: Callable[[Any], T], counter: Callable[[], Awaitable[int]]
) -> Connection[T]:
    edges = [
        Edge(cursor=cursor, node=convert(row))
        for row, cursor in zip(page.rows, page.cursors, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        counter=counter,
    )


def order_pairs(order_by: Sequence[Any] | None) -> list[tuple[str, bool]]:
    """`orderBy` inputs (field, direction) as the services take them: (name, descending)."""
    return [(o.field.value, o.direction is OrderDirection.DESC) for o in order_by or []]


def page_request(
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> PageRequest:
    return PageRequest(first=first, after=after, last=last, before=before).validate()


@strawberry.type(description="An expected failure: the input path, a stable code, a message.")
class UserError:
    field: list[str] | None
    code: UserErrorCode  # type: ignore[valid-type]
    message: str


def user_errors(error: DomainError, *prefix: str) -> list[UserError]:
    return [_user_error(p, prefix) for p in error.problems]


def _user_error(problem: Problem, prefix: Sequence[str]) -> UserError:
    path = [*prefix, *problem.field]
    return UserError(field=path or None, code=problem.code, message=problem.message)


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="Conditions on a text field; all given ones must hold.")
class StringFilter:
    eq: str | None = None
    ne: str | None = None
    in_: list[str] | None = strawberry.field(default=None, name="in")
    contains: str | None = strawberry.field(default=None, description="Ignores case and accents.")
    starts_with: str | None = strawberry.field(
        default=None, description="Ignores case and accents."
    )
    is_null: bool | None = None


@strawberry.input(description="Conditions on a date; bounds are inclusive with gte/lte.")
class DateFilter:
    eq: dt.date | None = None
    gt: dt.date | None = None
    gte: dt.date | None = None
    lt: dt.date | None = None
    lte: dt.date | None = None
    is_null: bool | None = None


@strawberry.input(description="Conditions on a point in time.")
class DateTimeFilter:
    gt: dt.datetime | None = None
    gte: dt.datetime | None = None
    lt: dt.datetime | None = None
    lte: dt.datetime | None = None


@strawberry.input
class IdFilter:
    eq: strawberry.ID | None = None
    in_: list[strawberry.ID] | None = strawberry.field(default=None, name="in")


@strawberry.type
class Address:
    line1: str | None
    line2: str | None
    number: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None

    @classmethod
    def from_row(cls, row: Any) -> Address | None:
        values = {
            "line1": row.address_line1, "line2": row.address_line2,
            "number": row.address_number, "city": row.address_city,
            "region": row.address_region, "postal_code": row.address_postal_code,
            "country": row.address_country,
        }  # fmt: skip
        return cls(**values) if any(v is not None for v in values.values()) else None


@strawberry.input
class AddressInput:
    line1: str | None = None
    line2: str | None = None
    number: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")


def address_columns(address: AddressInput | None) -> dict[str, Any]:
    """An Address input as the flattened address_* columns (all None when null)."""
    names = ("line1", "line2", "number", "city", "region", "postal_code", "country")
    return {f"address_{n}": getattr(address, n) if address else None for n in names}


def provided(update: Any) -> dict[str, Any]:
    """The fields an update input actually carries (`strawberry.Maybe`: absent is not null),
    by python name, with enums as their values."""
    changes: dict[str, Any] = {}
    for name in update.__dataclass_fields__:
        maybe = getattr(update, name)
        if maybe is None:  # absent
            continue
        value = maybe.value if isinstance(maybe, strawberry.Some) else maybe
        changes[name] = value.value if isinstance(value, Enum) else value
    return changes
