"""The migrations agree with the models, secure every tenant table, and can be undone."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from clientbase.models import Base

ROOT = Path(__file__).resolve().parents[2]
TENANT_TABLES = sorted(t.name for t in Base.metadata.sorted_tables if "tenant_id" in t.c)


def _app_role(stack: Any) -> str:
    role = make_url(stack.app_url).username
    assert role
    return role


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list(await conn.execute(text(sql), params))


async def test_models_match_migrations(owner_engine: AsyncEngine) -> None:
    # Nothing filtered: the version table is skipped by Alembic itself, and policies,
    # functions and grants are outside what autogenerate compares.
    def diff(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with owner_engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_check_constraints_and_partial_indexes_match(owner_engine: AsyncEngine) -> None:
    # Autogenerate ignores CHECK constraints and index predicates; compare them by name here.
    expected = {
        (table.name, constraint.name)
        for table in Base.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    checks = await _rows(
        owner_engine,
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE contype = 'c' AND connamespace = 'public'::regnamespace",
    )
    assert {(table, name) for table, name in checks} == expected

    partial = {
        index.name
        for table in Base.metadata.sorted_tables
        for index in table.indexes
        if index.dialect_options["postgresql"]["where"] is not None
    }
    predicates = await _rows(
        owner_engine,
        "SELECT indexrelid::regclass::text FROM pg_index "
        "JOIN pg_class ON pg_class.oid = indrelid "
        "WHERE indpred IS NOT NULL AND relnamespace = 'public'::regnamespace",
    )
    assert {name for (name,) in predicates} == partial


async def test_every_tenant_table_forces_row_level_security(owner_engine: AsyncEngine) -> None:
    assert {"customer", "audit_event", "file_chunk", "api_key"} <= set(TENANT_TABLES)
    flags = dict(
        (name, (enabled, forced))
        for name, enabled, forced in await _rows(
            owner_engine,
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'",
        )
    )
    policies = {
        (table, name)
        for table, name in await _rows(
            owner_engine, "SELECT tablename, policyname FROM pg_policies"
        )
    }
    for table in [*TENANT_TABLES, "tenant"]:
        assert flags[table] == (True, True), table
    for table in TENANT_TABLES:
        assert (table, "tenant_isolation") in policies, table
    assert {("tenant", "tenant_self"), ("tenant", "tenant_lookup")} <= policies
    assert ("api_key", "api_key_lookup") in policies


async def test_app_role_is_unprivileged_and_owns_nothing(
    stack: Any, owner_engine: AsyncEngine
) -> None:
    role = _app_role(stack)
    [(superuser, bypass_rls, create_db, create_role)] = await _rows(
        owner_engine,
        "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles "
        "WHERE rolname = :role",
        role=role,
    )
    assert not (superuser or bypass_rls or create_db or create_role)
    [(owned,)] = await _rows(
        owner_engine,
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles "
        "WHERE rolname = :role)",
        role=role,
    )
    assert owned == 0


def _alembic(conn: Connection, role: str, *steps: tuple[str, str]) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes.update(connection=conn, app_role=role)
    for action, target in steps:
        getattr(command, action)(config, target)


async def test_upgrade_downgrade_upgrade_on_a_fresh_database(
    stack: Any, owner_engine: AsyncEngine
) -> None:
    name = f"cb_migrations_{uuid.uuid4().hex[:12]}"
    role = _app_role(stack)
    admin = owner_engine.execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as exc:
        pytest.skip(f"the owner role cannot create a scratch database: {exc}")
    engine = create_async_engine(make_url(stack.owner_url).set(database=name), poolclass=NullPool)
    try:
        for steps in ([("upgrade", "head")], [("downgrade", "base")], [("upgrade", "head")]):
            async with engine.begin() as conn:
                await conn.run_sync(_alembic, role, *steps)
            if steps[0][0] == "downgrade":
                left = await _rows(
                    engine,
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    "AND relkind = 'r' UNION ALL SELECT proname FROM pg_proc "
                    "WHERE proname = 'clientbase_current_tenant'",
                )
                assert [relname for (relname,) in left] == ["alembic_version"]
        [(grants,)] = await _rows(
            engine,
            "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = :role",
            role=role,
        )
        assert grants > 0
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
