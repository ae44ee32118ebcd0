"""API key management for admins: list, create (secret shown once), revoke."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.api_key import (
    ApiKey,
    ApiKeyCreateInput,
    ApiKeyCreatePayload,
    ApiKeyPayload,
    IsAdmin,
)
from clientbase.schema.lists import Info
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Principal, Role


@strawberry.type
class ApiKeyQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="The tenant's keys (admins).")
    async def api_keys(self, info: Info) -> list[ApiKey]:
        ctx = info.context
        async with ctx.session_lock:
            rows = await auth.list_api_keys(ctx.session)
        return [ApiKey.from_row(row) for row in rows]


@strawberry.type
class ApiKeyMutations:
    @strawberry.mutation(
        description="A new key for this tenant; its secret is in the payload once."
    )
    async def api_key_create(self, info: Info, input: ApiKeyCreateInput) -> ApiKeyCreatePayload:
        async def work(session: AsyncSession, actor: Principal) -> auth.IssuedKey:
            return await auth.issue_key_for_caller(session, actor, Role(input.role), input.name)

        outcome = await run_mutation(info, Role.ADMIN, work)
        issued = outcome.value
        return ApiKeyCreatePayload(
            api_key=ApiKey.from_row(issued.api_key) if issued else None,
            secret=issued.secret if issued else None,
            user_errors=outcome.errors,
        )

    @strawberry.mutation(description="Revoke a key at once.")
    async def api_key_revoke(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        async def work(session: AsyncSession, actor: Principal) -> object:
            return await auth.revoke_key_for_caller(session, actor, decode_id(id, "ApiKey"))

        outcome = await run_mutation(info, Role.ADMIN, work)
        return ApiKeyPayload(
            api_key=ApiKey.from_row(outcome.value) if outcome.value else None,  # type: ignore[arg-type]
            user_errors=outcome.errors,
        )
