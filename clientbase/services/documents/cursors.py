"""Cursors as statement parameters, so the pages of one list after (or before) different
cursors share one compiled statement (building and compiling a nested statement costs tens
of ms).

`lift` decodes every `after` and `before` cursor of a plan into named parameters and leaves
in its place a marker that holds only the parameters' names; the builder turns a marker
into bind parameters. (A cursor never holds a null: sort keys are not null, and decoding
refuses one.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam

from clientbase.services.documents import plan as p
from clientbase.services.documents.entities import ENTITIES
from clientbase.services.query.pagination import SortKey, decode_cursor

MARK = "\x00cursor"
PREFIX = "cursor_"


def lift(root: p.Root) -> tuple[p.Root, dict[str, Any]]:
    """The plan with each cursor replaced by its marker, and the cursors' values by parameter
    name (a DomainError names `after` for a cursor that is not one of its list)."""
    values: dict[str, Any] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, tuple):
            walked = tuple(walk(item) for item in node)
            return node if all(a is b for a, b in zip(walked, node, strict=True)) else walked
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            return node
        changes = {}
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            walked = walk(value)
            if walked is not value:
                changes[field.name] = walked
        if isinstance(node, p.Page) and (node.page.after or node.page.before) is not None:
            after, before = node.page.after, node.page.before
            changes["page"] = dataclasses.replace(
                node.page,
                after=None if after is None else _marker(node, after, "after", values),
                before=None if before is None else _marker(node, before, "before", values),
            )
        return dataclasses.replace(node, **changes) if changes else node

    return walk(root), values


def _marker(page: p.Page, given: str, argument: str, values: dict[str, Any]) -> str:
    sort = ENTITIES[page.entity].sort_keys(list(page.order) or None)
    decoded = decode_cursor(given, sort, argument)
    start = len(values)
    values.update({f"{PREFIX}{start + i}": value for i, value in enumerate(decoded)})
    return f"{MARK}:{start}"


def placeholders(after: str, sort: Sequence[SortKey]) -> list[Any]:
    """The cursor position of a marker: a bind parameter per sort key."""
    start = int(after.split(":")[1])
    return [bindparam(f"{PREFIX}{start + i}", type_=key.column.type) for i, key in enumerate(sort)]
