"""Tenancy is enforced by PostgreSQL row-level security, not by filters in code."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from clientbase.core.db import Database, bind_tenant
from clientbase.services.auth import service as auth
from tests.helpers import committed_tenant, set_tenant
from tests.stack import APP_ROLE, TestStack

INSERT_CUSTOMER = text(
    "INSERT INTO customer (id, tenant_id, code, kind, legal_name, name_key) "
    "VALUES (:id, :tenant_id, :code, 'COMPANY', :name, lower(CAST(:name AS varchar)))"
)


async def _tenant(session: AsyncSession, slug: str) -> uuid.UUID:
    tenant = await auth.create_tenant(session, f"{slug}-{uuid.uuid4().hex[:8]}")
    return tenant.id


async def _customer(session: AsyncSession, tenant_id: uuid.UUID, code: str) -> uuid.UUID:
    await set_tenant(session, tenant_id)
    customer_id = uuid.uuid4()
    await session.execute(
        INSERT_CUSTOMER, {"id": customer_id, "tenant_id": tenant_id, "code": code, "name": code}
    )
    return customer_id


async def test_without_a_tenant_a_raw_select_returns_no_rows(db: AsyncSession) -> None:
    tenant_a = await _tenant(db, "a")
    await _customer(db, tenant_a, "C-1")
    assert await db.scalar(text("SELECT count(*) FROM customer")) == 1
    await set_tenant(db, None)
    for table in ("customer", "tenant", "api_key"):
        assert await db.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table  # noqa: S608


async def test_a_fresh_connection_with_no_tenant_sees_nothing_committed(
    stack: TestStack, database: Database
) -> None:
    caller = await committed_tenant(database)
    async with database.session(caller.tenant_id) as session:
        await _customer(session, caller.tenant_id, "C-committed")
        await session.commit()
    owner = await asyncpg.connect(str(make_url(stack.owner_url).set(drivername="postgresql")))
    app = await asyncpg.connect(str(make_url(stack.app_url).set(drivername="postgresql")))
    try:
        assert await owner.fetchval("SELECT count(*) FROM customer") >= 1
        assert await app.fetchval("SELECT current_user") == APP_ROLE
        assert await app.fetchval("SELECT count(*) FROM customer") == 0
        assert await app.fetchval("SELECT count(*) FROM api_key") == 0
    finally:
        await owner.close()
        await app.close()


async def test_tenant_a_cannot_read_tenant_b(db: AsyncSession) -> None:
    tenant_a, tenant_b = await _tenant(db, "a"), await _tenant(db, "b")
    await _customer(db, tenant_a, "A-1")
    b_customer = await _customer(db, tenant_b, "B-1")
    await set_tenant(db, tenant_a)
    codes = (await db.scalars(text("SELECT code FROM customer"))).all()
    assert codes == ["A-1"]
    found = await db.scalar(
        text("SELECT count(*) FROM customer WHERE id = :id"), {"id": b_customer}
    )
    assert found == 0
    assert await db.scalar(text("SELECT count(*) FROM tenant")) == 1


async def test_tenant_a_cannot_write_tenant_b(db: AsyncSession) -> None:
    tenant_a, tenant_b = await _tenant(db, "a"), await _tenant(db, "b")
    b_customer = await _customer(db, tenant_b, "B-1")
    await set_tenant(db, tenant_a)
    updated = await db.execute(
        text("UPDATE customer SET legal_name = 'stolen' WHERE id = :id"), {"id": b_customer}
    )
    assert updated.rowcount == 0  # type: ignore[attr-defined]
    deleted = await db.execute(text("DELETE FROM customer WHERE id = :id"), {"id": b_customer})
    assert deleted.rowcount == 0  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            await db.execute(
                INSERT_CUSTOMER,
                {"id": uuid.uuid4(), "tenant_id": tenant_b, "code": "X", "name": "planted"},
            )
    await set_tenant(db, tenant_b)
    name = await db.scalar(
        text("SELECT legal_name FROM customer WHERE id = :id"), {"id": b_customer}
    )
    assert name == "B-1"


async def test_moving_a_row_to_another_tenant_is_refused(db: AsyncSession) -> None:
    tenant_a, tenant_b = await _tenant(db, "a"), await _tenant(db, "b")
    a_customer = await _customer(db, tenant_a, "A-1")
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.begin_nested():
            await db.execute(
                text("UPDATE customer SET tenant_id = :b WHERE id = :id"),
                {"b": tenant_b, "id": a_customer},
            )


async def test_every_tenant_owned_table_forces_row_level_security(
    owner_engine: AsyncEngine,
) -> None:
    async with owner_engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity "
                    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r' AND (c.relname = 'tenant' "
                    "OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid "
                    "AND a.attname = 'tenant_id' AND NOT a.attisdropped))"
                )
            )
        ).all()
    names = {row.relname for row in rows}
    assert {"tenant", "api_key", "customer", "contact", "inventory_item", "job", "file"} <= names
    assert [
        row.relname for row in rows if not (row.relrowsecurity and row.relforcerowsecurity)
    ] == []


async def test_the_app_role_owns_nothing_and_cannot_bypass_rls(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as connection:
        role = (
            await connection.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                {"r": APP_ROLE},
            )
        ).one()
        owned = await connection.scalar(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = :r"), {"r": APP_ROLE}
        )
    assert (role.rolsuper, role.rolbypassrls) == (False, False)
    assert owned == 0


async def test_a_bound_session_keeps_its_tenant_across_commits(database: Database) -> None:
    caller = await committed_tenant(database)
    async with database.session() as session:
        await bind_tenant(session, caller.tenant_id)
        await _customer(session, caller.tenant_id, "first")
        await session.commit()
        # A new transaction: the binding, not a leftover setting, must scope it.
        assert await session.scalar(text("SELECT count(*) FROM customer")) == 1
        assert await session.scalar(text("SELECT current_setting('app.tenant_id')")) == str(
            caller.tenant_id
        )
