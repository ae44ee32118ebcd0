"""Filter operands and search terms as statement parameters, so a list filtered on other
values (a user typing in a filter box) reuses its compiled statement instead of building
one anew.

`lift` puts a sentinel of the same type in place of each text, id and date operand of a
plan's filters, and of its search terms, and returns the operands in order. The builder
compiles the plan with its sentinels, and `slots` then finds where each went: a parameter
that is a sentinel takes the operand as is; a LIKE pattern around one (`contains`,
`starts_with`) takes the operand escaped as the filters escape it. A statement where a
sentinel went anywhere else, or vanished, is not used: the plan is compiled with its
values, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any

from clientbase.services.documents import plan as p
from clientbase.services.query.filters import escape_like

OPERATORS = frozenset({"eq", "ne", "in_", "contains", "starts_with", "gt", "gte", "lt", "lte"})
# Unlike any value a client sends: a NUL never reaches a filter, ids under this prefix are
# not made by uuid4/uuid7, dates and times fall in year 1.
_TEXT = re.compile("\x00f([0-9]+)\x00")
_ID_TOP = 0x5E471E1D  # the top 32 bits of an id sentinel
_DAY_ONE = dt.date(1, 1, 1)
_MOMENT_ONE = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
RAW, CONTAINS, STARTS_WITH = "raw", "contains", "starts_with"
Slot = tuple[int, str]  # the operand's index and how it becomes the parameter


def lift(root: p.Root) -> tuple[p.Root, list[Any]]:
    """The plan with sentinels for its filters' operands, and the operands. Nothing is
    lifted when an operand already looks like a sentinel."""
    operands: list[Any] = []

    def walk(node: Any) -> Any:
        if isinstance(node, tuple):
            return tuple(walk(item) for item in node)
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            return node
        changes = {f.name: walk(getattr(node, f.name)) for f in dataclasses.fields(node)
                   if f.name == "parts"}  # fmt: skip
        if isinstance(node, p.Page) and node.filter:
            changes["filter"] = _tree(node.filter, operands)
        if isinstance(node, p.Page) and node.search and node.search == node.search.strip():
            # The list statements strip a search term and look for it with `contains`: for a
            # term that is already stripped, the sentinel stands for it exactly.
            changes["search"] = _sentinel(node.search, operands)
        return dataclasses.replace(node, **changes) if changes else node

    lifted = walk(root)
    if any(_sentinel_slot(value) is not None for value in operands):
        return root, []
    return lifted, operands


def _tree(tree: Any, operands: list[Any]) -> Any:
    if isinstance(tree, list):
        return [_tree(item, operands) for item in tree]
    if not isinstance(tree, Mapping):
        return tree
    if tree and set(tree) <= OPERATORS | {"is_null"}:
        return {op: _operand(op, value, operands) for op, value in tree.items()}
    return {name: _tree(value, operands) for name, value in tree.items()}


def _operand(op: str, value: Any, operands: list[Any]) -> Any:
    if op == "in_" and isinstance(value, list | tuple):
        return [_sentinel(item, operands) for item in value]
    return _sentinel(value, operands) if op in OPERATORS else value


def _sentinel(value: Any, operands: list[Any]) -> Any:
    index = len(operands)
    if isinstance(value, str):
        made: Any = f"\x00f{index}\x00"
    elif isinstance(value, uuid.UUID):
        made = uuid.UUID(int=(_ID_TOP << 96) + index)
    elif isinstance(value, dt.datetime):
        made = _MOMENT_ONE + dt.timedelta(seconds=index)
    elif isinstance(value, dt.date):
        made = _DAY_ONE + dt.timedelta(days=index)
    else:
        return value  # booleans, numbers: few values, part of the statement's shape
    operands.append(value)
    return made


def _sentinel_slot(value: Any) -> int | None:
    if isinstance(value, str):
        found = _TEXT.fullmatch(value)
        return int(found.group(1)) if found else None
    if isinstance(value, uuid.UUID) and value.int >> 96 == _ID_TOP:
        return value.int - (_ID_TOP << 96)
    if isinstance(value, dt.datetime) and value.year == 1:
        return int((value - _MOMENT_ONE).total_seconds())
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and value.year == 1:
        return (value - _DAY_ONE).days
    return None


def slots(parameters: Mapping[str, Any]) -> dict[str, Slot] | None:
    """Where the operands went among a compiled statement's parameters (by parameter name),
    or None when one went anywhere but as is or into a LIKE pattern."""
    found: dict[str, Slot] = {}
    for name, value in parameters.items():
        slot = _sentinel_slot(value)
        if slot is not None:
            found[name] = (slot, RAW)
        elif isinstance(value, str) and "\x00f" in value:
            pattern = _pattern(value)
            if pattern is None:
                return None
            found[name] = pattern
    return found


def covers(found: Mapping[str, Slot], count: int) -> bool:
    """Whether every one of `count` operands has a parameter."""
    return {index for index, _ in found.values()} == set(range(count))


def _pattern(value: str) -> Slot | None:
    for mode, (before, after) in ((CONTAINS, ("%", "%")), (STARTS_WITH, ("", "%"))):
        inner = value[len(before) : len(value) - len(after)]
        found = _TEXT.fullmatch(inner)
        if value.startswith(before) and value.endswith(after) and found:
            return int(found.group(1)), mode
    return None


def operand(slot: Slot, operands: list[Any]) -> Any:
    """The parameter's value for this request."""
    index, mode = slot
    value = operands[index]
    if mode == CONTAINS:
        return f"%{escape_like(value)}%"
    if mode == STARTS_WITH:
        return f"{escape_like(value)}%"
    return value
