"""search_customers leaves the session as it found it and refuses too large a page."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.services.errors import DomainError
from clientbase.services.search.service import search_customers
from tests.models.factories import make_customer, make_tenant


async def test_plan_setting_is_put_back(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    await make_customer(db, tenant, legal_name="Padaria Central", name_key="padaria central")
    hits = await search_customers(db, tenant, "padaria")
    assert [hit.customer.legal_name for hit in hits] == ["Padaria Central"]
    assert await db.scalar(text("SELECT current_setting('plan_cache_mode')")) == "auto"


async def test_first_is_bounded(db: AsyncSession) -> None:
    tenant = await make_tenant(db)
    with pytest.raises(DomainError) as error:
        await search_customers(db, tenant, "padaria", first=21)
    assert error.value.problems[0].code == "LIMIT_EXCEEDED"
    with pytest.raises(DomainError):
        await search_customers(db, tenant, "padaria", first=-1)
    assert await search_customers(db, tenant, "padaria", first=0) == []
