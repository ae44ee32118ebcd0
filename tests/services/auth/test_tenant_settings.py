"""The tenant's default country: set at creation or later, cleared, and checked."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.services.auth import service as auth


async def test_default_country_is_set_changed_and_cleared(db: AsyncSession) -> None:
    tenant = await auth.create_tenant(db, f"t-{uuid.uuid4().hex[:8]}", default_country=" br ")
    assert await auth.default_country(db, tenant.id) == "BR"
    await auth.set_default_country(db, tenant, "PT")
    assert tenant.settings == {"default_country": "PT"}
    await auth.set_default_country(db, tenant, None)
    assert await auth.default_country(db, tenant.id) is None
    plain = await auth.create_tenant(db, f"t-{uuid.uuid4().hex[:8]}")
    assert plain.settings == {}
    with pytest.raises(auth.AuthError, match="ISO 3166-1"):
        await auth.set_default_country(db, plain, "BRA")
