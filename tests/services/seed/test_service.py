"""Seeding a real tenant: rows land under row-level security, valid, and a rerun adds more."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from stdnum.br import cnpj, cpf
from typer.testing import CliRunner

from clientbase.cli import app
from clientbase.core.db import Database
from clientbase.services.seed import ensure_tenant, seed_customers
from tests.helpers import committed_tenant

COUNTS = text(
    "SELECT (SELECT count(*) FROM customer), (SELECT count(*) FROM contact), "
    "(SELECT count(*) FROM site), (SELECT count(*) FROM contract), "
    "(SELECT count(*) FROM inventory_item), (SELECT count(*) FROM product_type), "
    "(SELECT count(*) FROM customer_category), (SELECT count(*) FROM company_type)"
)
# Items whose contract or site is another customer's: the composite keys forbid them.
FOREIGN_CHILDREN = text(
    "SELECT count(*) FROM inventory_item i "
    "JOIN contract c ON c.id = i.contract_id JOIN site s ON s.id = i.site_id "
    "WHERE c.customer_id <> i.customer_id OR s.customer_id <> i.customer_id"
)
CUSTOMERS_WITHOUT = text(
    "SELECT count(*) FROM customer cu WHERE NOT EXISTS "
    "(SELECT FROM contact WHERE customer_id = cu.id) OR NOT EXISTS "
    "(SELECT FROM site WHERE customer_id = cu.id) OR NOT EXISTS "
    "(SELECT FROM contract WHERE customer_id = cu.id)"
)


async def counts(database: Database, tenant_id: uuid.UUID) -> tuple[int, ...]:
    async with database.session(tenant_id) as session:
        return tuple((await session.execute(COUNTS)).one())


async def test_seed_fills_a_tenant_and_a_second_run_adds_to_it(database: Database) -> None:
    tenant = await committed_tenant(database)
    progress: list[int] = []

    first = await seed_customers(
        database, tenant.tenant_id, 200, seed=3, batch_size=60, on_progress=progress.append
    )

    assert (first.first_code, first.last_code, first.customers) == ("C0000001", "C0000200", 200)
    assert sorted(progress) == [20, 60, 60, 60]
    customers, contacts, sites, contracts, items, *reference = await counts(
        database, tenant.tenant_id
    )
    assert (customers, contacts, sites, contracts, items) == (
        200, first.contacts, first.sites, first.contracts, first.items,
    )  # fmt: skip
    assert contacts >= 200 and sites >= 200 and contracts >= 200 and items > 500
    assert reference == [11, 5, 5]

    async with database.session(tenant.tenant_id) as session:
        assert await session.scalar(FOREIGN_CHILDREN) == 0
        assert await session.scalar(CUSTOMERS_WITHOUT) == 0
        brazilian = (
            await session.execute(
                text("SELECT kind, tax_id FROM customer WHERE tax_id_country = 'BR'")
            )
        ).all()
    assert len(brazilian) > 50
    for kind, tax_id in brazilian:
        assert (cnpj if kind == "COMPANY" else cpf).is_valid(tax_id), tax_id

    second = await seed_customers(database, tenant.tenant_id, 200, seed=3)

    assert (second.first_code, second.last_code) == ("C0000201", "C0000400")
    after = await counts(database, tenant.tenant_id)
    assert after[:5] == (400, contacts + second.contacts, sites + second.sites,
                         contracts + second.contracts, items + second.items)  # fmt: skip
    assert list(after[5:]) == reference


async def test_ensure_tenant_finds_or_creates(database: Database) -> None:
    tenant = await committed_tenant(database)
    assert await ensure_tenant(database, tenant.slug) == (tenant.tenant_id, False)
    slug = f"seed-{uuid.uuid4().hex[:10]}"
    created_id, created = await ensure_tenant(database, slug)
    assert created and await ensure_tenant(database, slug) == (created_id, False)


def test_seed_command_creates_the_tenant_and_reports_counts() -> None:
    slug = f"seed-{uuid.uuid4().hex[:10]}"
    result = CliRunner().invoke(app, ["seed", "--customers", "50", "--tenant", slug])
    assert result.exit_code == 0, result.output
    assert f"tenant {slug} created" in result.stdout
    assert "50 customers (C0000001..C0000050) in" in result.stdout
    bad = CliRunner().invoke(app, ["seed", "--customers", "5", "--tenant", "Not A Slug"])
    assert bad.exit_code == 1 and "tenant slug" in bad.output
