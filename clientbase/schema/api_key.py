"""API keys as the API shows them to admins: never the secret, except once on creation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from clientbase import models
from clientbase.schema.common import UserError
from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info
from clientbase.schema.viewer import Role
from clientbase.services.auth.principal import Role as RoleValue


class IsAdmin(strawberry.BasePermission):
    message = "This needs the admin role."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(info.context.principal.role is RoleValue.ADMIN)


@strawberry.type(description="A partner's credential. The secret itself is never shown again.")
class ApiKey:
    id: strawberry.ID
    row_id: strawberry.Private[uuid.UUID]
    name: str
    prefix: str = strawberry.field(description="The first characters, to recognise the key.")
    role: Role  # type: ignore[valid-type]
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.ApiKey) -> ApiKey:
        return cls(
            id=strawberry.ID(to_global_id("ApiKey", row.id)),
            row_id=row.id,
            name=row.name,
            prefix=row.prefix,
            role=RoleValue(row.role),
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            created_at=row.created_at,
        )


@strawberry.input
class ApiKeyCreateInput:
    name: str
    role: Role  # type: ignore[valid-type]


@strawberry.type
class ApiKeyCreatePayload:
    api_key: ApiKey | None
    secret: str | None = strawberry.field(description="Shown once; store it now.")
    user_errors: list[UserError]


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey | None
    user_errors: list[UserError]
