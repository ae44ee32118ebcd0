"""Filter inputs to the plain mappings the services compile to SQL."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from clientbase.schema.common import IdFilter
from clientbase.schema.ids import InvalidGlobalIdError, from_global_id
from clientbase.services.errors import ErrorCode, problem


def _global_ids(values: list[str], path: str) -> list[Any]:
    try:
        return [from_global_id(value)[1] for value in values]
    except InvalidGlobalIdError as exc:
        raise problem(("filter", path), ErrorCode.INVALID, str(exc)) from exc


def filter_tree(value: Any, path: str = "filter") -> Any:
    """A strawberry filter input as nested dicts of python field names; unset parts dropped."""
    if isinstance(value, IdFilter):
        tree: dict[str, Any] = {}
        if value.eq is not None:
            tree["eq"] = _global_ids([value.eq], path)[0]
        if value.in_ is not None:
            tree["in_"] = _global_ids(list(value.in_), path)
        return tree
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: filter_tree(getattr(value, field.name), field.name)
            for field in dataclasses.fields(value)
            if getattr(value, field.name) is not None
        }
    if isinstance(value, list):
        return [filter_tree(item, path) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value
