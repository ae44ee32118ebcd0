"""Operations already answered by compiled statements, by the request that asked for them.

A query whose document, operation name and variables have been parsed, validated, checked
against every limit and compiled once gives the same statements, parameters and cost every
time a caller of the same role asks it again: only the rows differ, and PostgreSQL picks
those under the caller's tenant. So the second time it can skip Strawberry altogether
(`clientbase.api_compiled`); the key holds the whole request and the role, so nothing is
ever reused for a different one.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

from clientbase.services.documents.builder import Compiled

# A request: the query text, the operation name and the variables (sorted JSON).
RequestKey = tuple[str, str | None, str]
MAX_REQUESTS = 10_000  # a by-id request kept 1.1 KB (tracemalloc over 1,000 of them)


@dataclass(frozen=True)
class Statement:
    """One root field: its response key, statement and parameters."""

    key: str
    compiled: Compiled
    parameters: tuple[Any, ...]


@dataclass(frozen=True)
class CompiledOperation:
    statements: tuple[Statement, ...]
    cost: int
    # The operation's name as the metrics label it (None: anonymous).
    name: str | None


def request_key(body: bytes) -> RequestKey | None:
    """The key of a JSON request body, or None for anything but one plain operation (a
    batch, a persisted-query hash, a body that is not JSON: the normal path answers those)."""
    try:
        request = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(request, dict) or request.get("extensions"):
        return None
    query, name, variables = (request.get(k) for k in ("query", "operationName", "variables"))
    if not isinstance(query, str) or not (name is None or isinstance(name, str)):
        return None
    if not (variables is None or isinstance(variables, dict)):
        return None
    # Decoded: orjson's bytes keep its whole output buffer (4 KB), kept as long as the key.
    return query, name, orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS).decode()


class OperationCache:
    """By request, then by role; the least recently used request first out."""

    def __init__(self, maxsize: int = MAX_REQUESTS) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[RequestKey, dict[str, CompiledOperation]] = OrderedDict()

    def knows(self, request: RequestKey) -> bool:
        return request in self._entries

    def get(self, request: RequestKey, role: str) -> CompiledOperation | None:
        by_role = self._entries.get(request)
        if by_role is None:
            return None
        self._entries.move_to_end(request)
        return by_role.get(role)

    def put(self, request: RequestKey, role: str, operation: CompiledOperation) -> None:
        self._entries.setdefault(request, {})[role] = operation
        self._entries.move_to_end(request)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
