"""Tenants and API keys in the database: only hashes stored, revocation, slugs."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Role


async def test_create_key_stores_only_the_hash(db: AsyncSession) -> None:
    tenant = await auth.create_tenant(db, "acme-hash", "Acme")
    issued = await auth.create_api_key(db, tenant, Role.EDITOR, name="partner sync")
    row = (
        await db.execute(text("SELECT * FROM api_key WHERE id = :id"), {"id": issued.api_key.id})
    ).one()
    stored = " ".join(str(value) for value in row)
    assert issued.secret not in stored
    assert row.key_hash == auth.keys.hash_key(issued.secret)
    assert row.role == "editor" and row.tenant_id == tenant.id


async def test_authenticate_gives_the_principal_and_binds_the_tenant(db: AsyncSession) -> None:
    tenant = await auth.create_tenant(db, "acme-auth")
    issued = await auth.create_api_key(db, tenant, Role.ADMIN)
    db.info.clear()
    await db.execute(text("SELECT set_config('app.tenant_id', '', true)"))
    principal = await auth.authenticate(db, issued.secret)
    assert principal is not None
    assert principal.tenant_id == tenant.id and principal.role is Role.ADMIN
    assert await db.scalar(text("SELECT current_setting('app.tenant_id')")) == str(tenant.id)


async def test_unknown_malformed_and_revoked_keys_do_not_authenticate(db: AsyncSession) -> None:
    tenant = await auth.create_tenant(db, "acme-revoke")
    issued = await auth.create_api_key(db, tenant, Role.READER)
    assert await auth.authenticate(db, None) is None
    assert await auth.authenticate(db, "cb_nope") is None
    assert await auth.authenticate(db, auth.keys.generate_key().secret) is None
    await auth.revoke_api_key(db, issued.api_key.id)
    assert await auth.authenticate(db, issued.secret) is None


async def test_tenant_slugs_are_checked_and_unique(db: AsyncSession) -> None:
    await auth.create_tenant(db, "acme-unique")
    with pytest.raises(auth.AuthError, match="taken"):
        await auth.create_tenant(db, "acme-unique")
    for bad in ("", "Acme", "acme_1", "-acme", "a" * 64):
        with pytest.raises(auth.AuthError, match="slug"):
            await auth.create_tenant(db, bad)
    found = await auth.find_tenant(db, "acme-unique")
    assert found is not None and found.slug == "acme-unique"
