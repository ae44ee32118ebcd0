"""`viewer`: who the caller is."""

from __future__ import annotations

import strawberry

from clientbase.schema.context import Context
from clientbase.schema.viewer import Tenant, Viewer
from clientbase.services.auth import service as auth


async def resolve_viewer(info: strawberry.Info[Context, None]) -> Viewer:
    ctx = info.context
    async with ctx.session_lock:
        tenant = await auth.get_tenant(ctx.session, ctx.tenant_id)
    if tenant is None:  # the key's tenant row is gone: treat as unauthenticated
        raise PermissionError("The caller's tenant no longer exists.")
    return Viewer(
        tenant=Tenant(row_id=tenant.id, name=tenant.name, slug=tenant.slug),
        role=ctx.principal.role,
        scopes=list(ctx.principal.role.scopes),
        actor=ctx.principal.label,
    )
