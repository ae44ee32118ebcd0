"""`clientbase dev --seed N`: demo customers for a tenant that has none, and never twice."""

from __future__ import annotations

from sqlalchemy import func, select

from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.launcher import seed_if_empty
from clientbase.models.customer import Customer
from clientbase.services.auth import service as auth
from tests.conftest import unique_slug


async def _customers(database: Database, slug: str) -> int:
    async with database.session() as session:
        tenant = await auth.find_tenant(session, slug)
        assert tenant is not None
        tenant_id = tenant.id
    async with database.session(tenant_id) as session:
        return int(await session.scalar(select(func.count()).select_from(Customer)) or 0)


async def test_an_empty_tenant_is_seeded_once(database: Database) -> None:
    slug = unique_slug("dev")
    seconds = await seed_if_empty(get_settings(), 25, slug)
    assert seconds is not None and seconds >= 0
    assert await _customers(database, slug) == 25
    # A restart finds customers and adds none, whatever number it is given.
    assert await seed_if_empty(get_settings(), 40, slug) is None
    assert await _customers(database, slug) == 25
