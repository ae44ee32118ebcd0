"""Which Node types exist and how to load each by id: `node` and `nodes` look them up here."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import strawberry

    from clientbase.schema.context import Context

NodeLoader = Callable[["strawberry.Info[Context, Any]", list[uuid.UUID]], Awaitable[Sequence[Any]]]

NODE_TYPES: dict[str, NodeLoader] = {}


def register_node(type_name: str, load: NodeLoader) -> None:
    """`load(info, ids)` returns the typed objects in id order, None where not found."""
    NODE_TYPES[type_name] = load
