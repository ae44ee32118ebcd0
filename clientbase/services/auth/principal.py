"""Who is calling: the tenant, role and credential behind a request or a job."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime


class Role(enum.StrEnum):
    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        order = (Role.READER, Role.EDITOR, Role.ADMIN)
        return order.index(self) >= order.index(needed)

    @property
    def scopes(self) -> tuple[str, ...]:
        granted = {
            Role.READER: ("read",),
            Role.EDITOR: ("read", "write"),
            Role.ADMIN: ("read", "write", "admin"),
        }
        return granted[self]


@dataclass(frozen=True)
class Principal:
    tenant_id: uuid.UUID
    role: Role
    actor_kind: str
    actor_id: str
    label: str
    last_used_at: datetime | None = None
