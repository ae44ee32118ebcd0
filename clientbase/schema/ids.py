"""Opaque global ids: base64 of "Type:uuid", so clients never build or parse them."""

from __future__ import annotations

import base64
import binascii
import uuid


class InvalidGlobalIdError(ValueError):
    pass


def to_global_id(type_name: str, row_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{row_id}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, uuid.UUID]:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return type_name, uuid.UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidGlobalIdError(f"{global_id!r} is not a valid id") from exc
