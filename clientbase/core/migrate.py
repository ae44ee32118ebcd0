"""Apply the Alembic migrations from code: the CLI, the dev launcher and the tests use it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from clientbase.core.db import create_engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(app_role: str) -> Config:
    root = Path(os.environ.get("CLIENTBASE_PROJECT_ROOT", PROJECT_ROOT))
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.attributes["app_role"] = app_role
    return config


async def upgrade(
    owner_url: str, app_role: str, revision: str = "head", app_role_password: str | None = None
) -> None:
    """Upgrade the database at `owner_url` (the schema owner) to `revision`."""
    engine = create_engine(owner_url, pool_size=1, max_overflow=0)

    def _run(connection: Connection) -> None:
        config = alembic_config(app_role)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
            if app_role_password is not None:
                # The role is created by the migrations; its secret comes from the settings.
                role = connection.dialect.identifier_preparer.quote(app_role)
                password = app_role_password.replace("'", "''")
                await connection.exec_driver_sql(f"ALTER ROLE {role} PASSWORD '{password}'")
    finally:
        await engine.dispose()


def upgrade_blocking(owner_url: str, app_role: str, revision: str = "head") -> None:
    asyncio.run(upgrade(owner_url, app_role, revision))
