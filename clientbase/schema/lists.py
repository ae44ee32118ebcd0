"""Connections and by-id loads on top of the services' pagination, batched per request."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import strawberry
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.base import Base
from clientbase.schema.common import Connection, connection
from clientbase.schema.context import Context
from clientbase.schema.loaders import arguments_key
from clientbase.services import records
from clientbase.services.query import pagination
from clientbase.services.query.pagination import PageRequest, SortKey

T = TypeVar("T")
Info = strawberry.Info[Context, Any]


async def root_connection(
    info: Info,
    stmt: Select[Any],
    sort: Sequence[SortKey],
    page: PageRequest,
    convert: Callable[[Any], T],
) -> Connection[T]:
    ctx = info.context
    async with ctx.session_lock:
        result = await pagination.fetch_page(ctx.session, stmt, sort, page)

    async def counter() -> int:
        async with ctx.session_lock:
            return await pagination.count(ctx.session, stmt)

    return connection(result, convert, counter)


async def child_connection(
    info: Info,
    relation: str,
    parent_id: Hashable,
    *,
    stmt: Select[Any],
    entity: type[Base],
    parent_column: Any,
    sort: Sequence[SortKey],
    page: PageRequest,
    convert: Callable[[Any], T],
    arguments: Any = None,
) -> Connection[T]:
    """A page of a parent's children; all parents asking with the same arguments share one
    statement for the pages and one for the counts."""
    key = arguments_key(relation, page, arguments)

    async def pages(session: AsyncSession, parents: Sequence[Hashable]) -> list[Any]:
        by_parent = await pagination.fetch_pages_by_parent(
            session, stmt, entity, parent_column, parents, sort, page
        )
        return [by_parent[p] for p in parents]

    async def counts(session: AsyncSession, parents: Sequence[Hashable]) -> list[int]:
        by_parent = await pagination.count_by_parent(session, stmt, parent_column, parents)
        return [by_parent[p] for p in parents]

    loaders = info.context.loaders
    result = await loaders.get(("pages", key), pages).load(parent_id)
    count_loader = loaders.get(("counts", key), counts)
    return connection(result, convert, lambda: count_loader.load(parent_id))


async def by_ids(
    info: Info,
    model: type[Base],
    ids: Sequence[uuid.UUID],
    convert: Callable[[Any], T],
) -> list[T | None]:
    """Objects for ids in order (None where missing), through the model's per-request loader."""

    async def load(session: AsyncSession, keys: Sequence[uuid.UUID]) -> list[Any]:
        return await records.get_many(session, model, keys)

    rows = await info.context.loaders.get((model.__name__, "by_id"), load).load_many(list(ids))
    return [None if row is None else convert(row) for row in rows]


async def by_id(
    info: Info, model: type[Base], row_id: uuid.UUID, convert: Callable[[Any], T]
) -> T | None:
    return (await by_ids(info, model, [row_id], convert))[0]
