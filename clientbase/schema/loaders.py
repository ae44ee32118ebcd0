"""Per-request DataLoaders: one per relation and argument set, each batch in one statement.

Loaders live on the request context, never at module level, so nothing is cached
across requests or tenants. A batch runs under the session lock because resolvers
run concurrently and one AsyncSession must not run two statements at once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from clientbase.schema.context import Context

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Batch = Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[V]]]


def arguments_key(*parts: Any) -> str:
    """A stable key for a loader's arguments (page request, filter tree, ...)."""
    return json.dumps(parts, sort_keys=True, default=str)


class Loaders:
    def __init__(self, context: Context) -> None:
        self._context = context
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def get(self, key: Hashable, batch: Batch[K, V]) -> DataLoader[K, V]:
        loader = self._loaders.get(key)
        if loader is None:
            context = self._context

            async def load(keys: list[K]) -> Sequence[V]:
                async with context.session_lock:
                    return await batch(context.session, keys)

            loader = DataLoader(load_fn=load)
            self._loaders[key] = loader
        return loader

    def clear(self) -> None:
        """After a mutation: later reads in the same request see the new state."""
        self._loaders.clear()
