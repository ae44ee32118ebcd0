"""Shape checks shared by services: required text, lengths, enumerations, countries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clientbase.services.errors import DomainError, ErrorCode, problem


def text(
    value: Any, field: str, *, required: bool = False, max_length: int = 200
) -> DomainError | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return problem(field, ErrorCode.REQUIRED, f"`{field}` is required.") if required else None
    if len(value) > max_length:
        return problem(
            field, ErrorCode.INVALID, f"`{field}` is longer than {max_length} characters."
        )
    return None


def one_of(value: Any, field: str, allowed: Iterable[str]) -> DomainError | None:
    options = list(allowed)
    if value is not None and value not in options:
        return problem(field, ErrorCode.INVALID, f"`{field}` must be one of {', '.join(options)}.")
    return None


def country(value: Any, field: str) -> DomainError | None:
    if value is not None and not (len(value) == 2 and value.isalpha() and value.isupper()):
        return problem(field, ErrorCode.INVALID, f"`{field}` must be an ISO 3166-1 alpha-2 code.")
    return None


def clean(value: Any) -> Any:
    """Trim text; empty text is no value."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
