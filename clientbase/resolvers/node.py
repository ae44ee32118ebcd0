"""`node` and `nodes`: any object by its global id, loaded in batches per type."""

from __future__ import annotations

import uuid
from collections import defaultdict

import strawberry

from clientbase.schema.common import Node
from clientbase.schema.ids import InvalidGlobalIdError, from_global_id
from clientbase.schema.lists import Info
from clientbase.schema.node import NODE_TYPES
from clientbase.services.errors import ErrorCode, problem

MAX_IDS = 100


async def _load(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    wanted: dict[str, list[uuid.UUID]] = defaultdict(list)
    decoded: list[tuple[str, uuid.UUID] | None] = []
    for global_id in ids:
        try:
            type_name, row_id = from_global_id(global_id)
        except InvalidGlobalIdError:
            decoded.append(None)
            continue
        if type_name not in NODE_TYPES:
            decoded.append(None)
            continue
        decoded.append((type_name, row_id))
        wanted[type_name].append(row_id)
    found: dict[tuple[str, uuid.UUID], Node | None] = {}
    for type_name, row_ids in wanted.items():
        objects = await NODE_TYPES[type_name](info, row_ids)
        found.update(zip(((type_name, r) for r in row_ids), objects, strict=True))
    return [None if key is None else found.get(key) for key in decoded]


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when there is none.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return (await _load(info, [id]))[0]

    @strawberry.field(description="Objects by global ids, in order; at most 100 ids.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_IDS:
            raise problem(
                "ids", ErrorCode.LIMIT_EXCEEDED, f"At most {MAX_IDS} ids, got {len(ids)}."
            )
        return await _load(info, ids)
