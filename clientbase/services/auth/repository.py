"""SQL for tenants and API keys.

Authentication runs before the tenant is known, so lookups by key hash or by
tenant slug go through dedicated row-level security policies that match on the
value set in `app.api_key_hash` / `app.tenant_slug` for that transaction only
(for a key, inside the `api_key_sign_in` function).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.api_key import ApiKey
from clientbase.models.tenant import Tenant

_SIGN_IN = text("SELECT * FROM api_key_sign_in(:hash)")
_SIGN_IN_ON_DRIVER = "SELECT * FROM api_key_sign_in($1)"
_TENANT_SIGN_IN = text("SELECT tenant_sign_in(:by_id, :by_slug)")
_TENANT_SIGN_IN_ON_DRIVER = "SELECT tenant_sign_in($1, $2)"
_SET_TENANT_SLUG = text("SELECT set_config('app.tenant_slug', :value, true)")


async def sign_in(session: AsyncSession, key_hash: str) -> RowMapping | None:
    """The key of this hash, revoked or not; a key not revoked also binds the open
    transaction to its tenant. One statement (migration 0010's function)."""
    return (await session.execute(_SIGN_IN, {"hash": key_hash})).mappings().first()


async def sign_in_on_driver(connection: Any, key_hash: str) -> Any | None:
    """`sign_in` on an asyncpg connection, in its open transaction: the record or None."""
    return await connection.fetchrow(_SIGN_IN_ON_DRIVER, key_hash)


async def tenant_sign_in(
    session: AsyncSession, by_id: uuid.UUID | None, by_slug: str | None
) -> uuid.UUID | None:
    """The id of the tenant with this id (or else this slug), which the open transaction is
    then bound to; None, and no tenant bound, if there is none (migration 0010's function)."""
    found = await session.scalar(_TENANT_SIGN_IN, {"by_id": by_id, "by_slug": by_slug})
    return found if isinstance(found, uuid.UUID) else None


async def tenant_sign_in_on_driver(
    connection: Any, by_id: uuid.UUID | None, by_slug: str | None
) -> uuid.UUID | None:
    """`tenant_sign_in` on an asyncpg connection, in its open transaction."""
    found = await connection.fetchval(_TENANT_SIGN_IN_ON_DRIVER, by_id, by_slug)
    return found if isinstance(found, uuid.UUID) else None


async def find_tenant_by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    await session.execute(_SET_TENANT_SLUG, {"value": slug})
    tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug))
    await session.execute(_SET_TENANT_SLUG, {"value": ""})
    return tenant


async def get_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    return await session.get(Tenant, tenant_id)


async def add(session: AsyncSession, row: Tenant | ApiKey) -> None:
    session.add(row)
    await session.flush()


async def list_keys(session: AsyncSession) -> list[ApiKey]:
    return list(await session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


async def set_last_used(session: AsyncSession, key_id: uuid.UUID, used_at: datetime) -> bool:
    """Record a use unless a later one is already recorded; no version bump, it is not an edit."""
    result = await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < used_at))
        .values(last_used_at=used_at, updated_at=ApiKey.updated_at)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
