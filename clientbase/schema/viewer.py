"""GraphQL types that describe the caller: Viewer, Tenant and Role."""

from __future__ import annotations

import uuid

import strawberry

from clientbase.schema.ids import to_global_id
from clientbase.services.auth.principal import Role as RoleValue

Role = strawberry.enum(RoleValue, name="Role", description="What a caller may do.")


@strawberry.type(description="A company using clientbase; every record belongs to one.")
class Tenant:
    row_id: strawberry.Private[uuid.UUID]
    name: str
    slug: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Tenant", self.row_id))


@strawberry.type(description="Who is calling: tenant, role and the scopes the role grants.")
class Viewer:
    tenant: Tenant
    role: Role  # type: ignore[valid-type]
    scopes: list[str]
    actor: str = strawberry.field(description="The credential, e.g. an API key's name and prefix.")
