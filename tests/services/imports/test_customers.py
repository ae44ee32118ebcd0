"""Customer imports end to end on real PostgreSQL: create, upsert, skip, errors, dry run."""

from __future__ import annotations

from clientbase.core.db import Database
from clientbase.services.imports.entities.base import ImportMode
from tests.helpers import committed_tenant
from tests.services.imports.helpers import counts, import_file, row_errors, rows

CSV = (
    "Código;Razão Social;CNPJ;País fiscal;Telefone;E-mail;Cidade\r\n"
    "C-1;Padaria São João Ltda;11.222.333/0001-81;BR;+55 11 98765-4321;Vendas@Padaria.com.br;São Paulo\r\n"
    "C-2;Mercado Três Irmãos;;;;;Campinas\r\n"
    "C-3;Açougue Bom Preço;;;;;Santos\r\n"
).encode("cp1252")


async def test_a_cp1252_semicolon_file_creates_customers_with_their_keys(
    database: Database,
) -> None:
    tenant = await committed_tenant(database)
    job = await import_file(database, tenant.tenant_id, CSV)
    assert counts(job) == {
        "status": "SUCCEEDED",
        "processed": 3,
        "created": 3,
        "updated": 0,
        "skipped": 0,
        "failed": 0,
    }
    found = await rows(
        database,
        tenant.tenant_id,
        "SELECT code, legal_name, tax_id, phone, email, address_city, name_key, "
        "phone_digits, version FROM customer ORDER BY code",
    )
    first = found[0]
    assert first.legal_name == "Padaria São João Ltda" and first.address_city == "São Paulo"
    assert first.tax_id == "11222333000181" and first.phone == "+5511987654321"
    assert first.email == "vendas@padaria.com.br" and first.name_key == "padaria sao joao"
    assert first.phone_digits == "5511987654321" and first.version == 1
    assert [r.code for r in found] == ["C-1", "C-2", "C-3"]


async def test_upsert_skips_unchanged_rows_and_updates_changed_ones(database: Database) -> None:
    tenant = await committed_tenant(database)
    await import_file(database, tenant.tenant_id, CSV)
    again = await import_file(database, tenant.tenant_id, CSV)
    assert counts(again)["skipped"] == 3 and counts(again)["updated"] == 0
    changed = CSV.replace("Campinas".encode("cp1252"), b"Sorocaba")
    third = await import_file(database, tenant.tenant_id, changed)
    assert (third.created, third.updated, third.skipped) == (0, 1, 2)
    found = await rows(
        database, tenant.tenant_id, "SELECT code, address_city, version FROM customer ORDER BY code"
    )
    assert [(r.code, r.address_city, r.version) for r in found] == [
        ("C-1", "São Paulo", 1),
        ("C-2", "Sorocaba", 2),
        ("C-3", "Santos", 1),
    ]


async def test_insert_mode_reports_existing_codes_and_bad_rows_without_stopping(
    database: Database,
) -> None:
    tenant = await committed_tenant(database)
    await import_file(database, tenant.tenant_id, CSV)
    data = (
        b"code,legal name,tax id,tax id country,email\n"
        b"C-1,Again,,,\n"
        b"C-9,,,,\n"
        b"C-10,Good one,,,\n"
        b"C-11,Bad tax,123,BR,not-an-email\n"
    )
    job = await import_file(database, tenant.tenant_id, data, mode=ImportMode.INSERT)
    assert counts(job) == {
        "status": "PARTIAL",
        "processed": 4,
        "created": 1,
        "updated": 0,
        "skipped": 0,
        "failed": 3,
    }
    errors = await row_errors(database, job)
    assert (2, "code", "TAKEN") in errors
    assert (3, "legal name", "REQUIRED") in errors
    assert {(5, "tax id"), (5, "email")} <= {(n, c) for n, c, _ in errors}


async def test_a_dry_run_counts_and_reports_like_the_real_run_and_writes_nothing(
    database: Database,
) -> None:
    tenant = await committed_tenant(database)
    data = CSV + "C-4;;;;;;\r\nC-1;Repeated;;;;;\r\n".encode("cp1252")
    dry = await import_file(database, tenant.tenant_id, data, dry_run=True)
    assert await rows(database, tenant.tenant_id, "SELECT id FROM customer") == []
    assert await rows(database, tenant.tenant_id, "SELECT id FROM import_change") == []
    real = await import_file(database, tenant.tenant_id, data)
    assert counts(dry) == counts(real)
    assert counts(real)["created"] == 3 and counts(real)["updated"] == 1
    assert await row_errors(database, dry) == await row_errors(database, real)
