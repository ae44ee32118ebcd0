"""SQL of the seed: reference rows, the next free customer number, and COPY of a batch.

PostgreSQL refuses COPY FROM into a table with row-level security ("COPY FROM not
supported with row-level security"), so each table's rows are COPYed into a temporary
staging table (which has no policies) and moved with one INSERT ... SELECT. That insert
runs as the application role inside the tenant's transaction, so the policies still check
every row's tenant_id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol, cast

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.company_type import CompanyType
from clientbase.models.customer_category import CustomerCategory
from clientbase.models.product_type import ProductType
from clientbase.services.seed.catalog import CATEGORIES, COMPANY_TYPES, PRODUCTS
from clientbase.services.seed.rows import Batch, Reference

# Codes the seed writes look like C0000001; codes typed by people (ACME-1, C12b) are skipped.
_MAX_SEED_NUMBER = text(
    "SELECT coalesce(max(substring(code FROM 2)::bigint), 0) FROM customer "
    "WHERE code ~ '^C[0-9]{1,18}$'"
)


class _CopyConnection(Protocol):
    """The part of asyncpg.Connection used here (asyncpg ships no type information)."""

    async def execute(self, query: str, *args: object) -> str: ...

    async def copy_records_to_table(
        self, table_name: str, *, records: Iterable[Sequence[object]], columns: Sequence[str]
    ) -> str: ...


async def ensure_reference(session: AsyncSession, tenant_id: uuid.UUID) -> Reference:
    """The tenant's seed categories, company types and product types, created if missing."""
    named: list[tuple[type[CustomerCategory] | type[CompanyType], tuple[str, ...]]] = [
        (CustomerCategory, CATEGORIES),
        (CompanyType, COMPANY_TYPES),
    ]
    for model, names in named:
        rows = [{"id": uuid.uuid4(), "tenant_id": tenant_id, "name": name} for name in names]
        await session.execute(
            insert(model).values(rows).on_conflict_do_nothing(index_elements=["tenant_id", "name"])
        )
    products = [
        {"id": uuid.uuid4(), "tenant_id": tenant_id, "name": p.name, "kind": p.kind}
        for p in PRODUCTS
    ]
    await session.execute(
        insert(ProductType)
        .values(products)
        .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
    )
    categories = await _ids_by_name(session, CustomerCategory, CATEGORIES)
    return Reference(
        category_ids=tuple(categories[name] for name in CATEGORIES),
        company_type_ids=await _ids_by_name(session, CompanyType, COMPANY_TYPES),
        product_type_ids=await _ids_by_name(session, ProductType, [p.name for p in PRODUCTS]),
    )


async def _ids_by_name(
    session: AsyncSession,
    model: type[CustomerCategory] | type[CompanyType] | type[ProductType],
    names: Sequence[str],
) -> dict[str, uuid.UUID]:
    rows = await session.execute(select(model.name, model.id).where(model.name.in_(names)))
    return {name: row_id for name, row_id in rows}


async def last_seed_number(session: AsyncSession) -> int:
    """The highest seed-style customer number of the tenant; the next run starts after it."""
    return int(await session.scalar(_MAX_SEED_NUMBER) or 0)


async def copy_batch(session: AsyncSession, tenant_id: uuid.UUID, batch: Batch) -> None:
    """COPY the batch into staging tables and insert it into the tenant's tables."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = cast(_CopyConnection, raw.driver_connection)
    for table, columns, rows in batch.tables():
        if not rows:
            continue
        staging, names = f"seed_{table}", ", ".join(columns)
        # Dropped at commit; built from the target so every column has the target's type.
        await driver.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 - fixed names
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        await driver.copy_records_to_table(staging, records=rows, columns=columns)
        await driver.execute(
            f"INSERT INTO {table} (tenant_id, {names}) "  # noqa: S608 - fixed names
            f"SELECT $1::uuid, {names} FROM {staging}",
            tenant_id,
        )
