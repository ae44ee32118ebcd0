"""Exports end to end on real PostgreSQL: each format, filters, relation columns, escaping."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
import python_calamine
from sqlalchemy import text

from clientbase.core.db import Database
from clientbase.services.formula import escape, unescape
from tests.helpers import committed_tenant
from tests.services.exports.helpers import export, file_bytes, seed_registry
from tests.services.imports.helpers import import_file, rows

CUSTOMERS = (
    "code,legal name,kind,phone,email,city,tax id,tax id country\n"
    'C-1,=HYPERLINK("http://x"),COMPANY,+55 11 98765-4321,a@b.com,São Paulo,11.222.333/0001-81,BR\n'
    "C-2,Mercado Três Irmãos,COMPANY,,,Campinas,,\n"
).encode()


async def test_csv_has_import_headers_and_escapes_formulas(export_database: Database) -> None:
    tenant = await committed_tenant(export_database)
    imported = await import_file(export_database, tenant.tenant_id, CUSTOMERS)
    assert imported.created == 2, imported.error
    job = await export(export_database, tenant.tenant_id)
    assert (job.status, job.total, job.processed) == ("SUCCEEDED", 2, 2), job.error
    rows = list(csv.DictReader(io.StringIO((await file_bytes(export_database, job)).decode())))
    assert [r["code"] for r in rows] == ["C-1", "C-2"]
    assert rows[0]["legal_name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["phone"] == "'+5511987654321"
    assert rows[1]["address_city"] == "Campinas" and rows[1]["phone"] == ""


async def test_jsonl_has_typed_values_and_relation_labels_with_ids(
    export_database: Database,
) -> None:
    tenant = await committed_tenant(export_database)
    await seed_registry(export_database, tenant.tenant_id)
    job = await export(export_database, tenant.tenant_id, "CONTACTS", "JSONL")
    lines = (await file_bytes(export_database, job)).decode().splitlines()
    first = json.loads(lines[0])
    assert list(first) == ["id", "customer_id", "customer_code", "customer_name", "first_name",
                           "last_name", "full_name", "email", "phone", "job_title", "is_primary",
                           "created_at", "updated_at"]  # fmt: skip
    # Sorted by customer code, then full name; JSON keeps values as they are.
    assert [(c["customer_code"], c["full_name"]) for c in map(json.loads, lines)] == [
        ("C-1", "João Lima"),
        ("C-1", "Maria Souza"),
        ("C-2", "Ana"),
    ]
    joao = json.loads(lines[0])
    assert joao["is_primary"] is False and joao["email"] is None
    assert joao["job_title"] == "@compras" and joao["customer_name"] == "Padaria São João"
    ids = await rows(
        export_database,
        tenant.tenant_id,
        "SELECT id::text, customer_id::text FROM contact WHERE full_name = 'João Lima'",
    )
    assert (joao["id"], joao["customer_id"]) == tuple(ids[0])


async def test_inventory_items_name_their_customer_contract_site_and_type(
    export_database: Database,
) -> None:
    tenant = await committed_tenant(export_database)
    await seed_registry(export_database, tenant.tenant_id)
    job = await export(export_database, tenant.tenant_id, "INVENTORY_ITEMS", "CSV")
    found = list(csv.DictReader(io.StringIO((await file_bytes(export_database, job)).decode())))
    # Sorted by product type name, then serial number.
    assert [(r["product_type"], r["serial_number"]) for r in found] == [
        ("'=Suporte", "SN-2"), ("Router X1", "SN-1"), ("Router X1", "SN-3")]  # fmt: skip
    sn2 = found[0]
    assert (sn2["customer_code"], sn2["contract_number"], sn2["site_name"]) == (
        "C-1",
        "K-1",
        "'+Filial",
    )
    assert found[1]["description"] == "'=1+1"
    ids = await rows(
        export_database,
        tenant.tenant_id,
        "SELECT i.contract_id::text, i.site_id::text, i.product_type_id::text, "
        "i.customer_id::text FROM inventory_item i WHERE serial_number = 'SN-2'",
    )
    assert (sn2["contract_id"], sn2["site_id"], sn2["product_type_id"], sn2["customer_id"]) == (
        tuple(ids[0])
    )


async def test_xlsx_cells_are_strings_never_formulas(export_database: Database) -> None:
    tenant = await committed_tenant(export_database)
    await seed_registry(export_database, tenant.tenant_id)
    job = await export(export_database, tenant.tenant_id, "CUSTOMERS", "XLSX",
                       columns=["code", "legalName", "phone", "birth_date", "kind"])  # fmt: skip
    data = await file_bytes(export_database, job)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = book.get_sheet_by_index(0).to_python()
    assert cells[0] == ["code", "legal_name", "phone", "birth_date", "kind"]
    by_code = {row[0]: row for row in cells[1:]}
    assert by_code["C-1"][2] == "+5511987654321"  # a string cell, no apostrophe needed
    assert by_code["C-2"][3] == dt.date(1980, 2, 29)  # a date cell
    assert by_code["C-3"][1] == '=HYPERLINK("http://x","y")'
    # One more apostrophe, which the import takes off again.
    assert by_code["C-7"][1] == "''=já escapado"


async def test_filters_search_columns_and_bom(export_database: Database) -> None:
    tenant = await committed_tenant(export_database)
    await seed_registry(export_database, tenant.tenant_id)
    t = tenant.tenant_id

    async def codes(**options: object) -> list[str]:
        job = await export(export_database, t, "CUSTOMERS", "CSV", columns=["code"], **options)
        text = (await file_bytes(export_database, job)).decode()
        return text.splitlines()[1:]

    assert await codes(filter_tree={"code": {"in_": ["C-2", "C-1"]}}) == ["C-1", "C-2"]
    assert await codes(filter_tree={"kind": {"eq": "PERSON"}}) == ["C-2"]
    assert await codes(filter_tree={"category": {"name": {"eq": "Varejo"}}}) == ["C-1"]
    assert await codes(filter_tree={"birth_date": {"gte": dt.date(1980, 1, 1)}}) == ["C-2"]
    (c2,) = await rows(export_database, t, "SELECT id FROM customer WHERE code = 'C-2'")
    assert await codes(filter_tree={"not_": {"id": {"eq": c2.id}}}) == [
        "C-1", "C-3", "C-4", "C-5", "C-6", "C-7"]  # fmt: skip
    assert await codes(search="mercado") == []
    assert await codes(search="padaria") == ["C-1"]
    job = await export(export_database, t, "CUSTOMERS", "CSV", bom=True,
                       columns=["legalName", "CODE"], filter_tree={"code": {"eq": "C-1"}})  # fmt: skip
    data = await file_bytes(export_database, job)
    assert data == "\ufefflegal_name,code\nPadaria São João,C-1\n".encode()


async def test_contacts_filtered_by_their_customer(export_database: Database) -> None:
    tenant = await committed_tenant(export_database)
    await seed_registry(export_database, tenant.tenant_id)
    job = await export(export_database, tenant.tenant_id, "CONTACTS", "CSV",
                       columns=["full_name", "customer_code", "customer_ref"],
                       filter_tree={"customer": {"code": {"eq": "C-2"}}})  # fmt: skip
    data = await file_bytes(export_database, job)
    assert data == b"full_name,customer_code,customer_ref\nAna,C-2,\n"


@pytest.mark.parametrize("file_format", ["CSV", "XLSX"])
async def test_sql_escape_matches_the_import_unescape(
    export_database: Database, file_format: str
) -> None:
    tenant = await committed_tenant(export_database)
    names = ["\tTab", "\rReturn", "''=Two", "'Plain", "a=b", "-1", "O'Brien"]
    async with export_database.session(tenant.tenant_id) as session:
        for index, name in enumerate(names):
            await session.execute(
                text("INSERT INTO customer (tenant_id, code, kind, legal_name, name_key) "
                     "VALUES (CAST(:t AS uuid), :code, 'COMPANY', :name, 'k')"),
                {"t": str(tenant.tenant_id), "code": f"X{index}", "name": name},
            )  # fmt: skip
        await session.commit()
    job = await export(export_database, tenant.tenant_id, "CUSTOMERS", file_format,
                       columns=["code", "legal_name"])  # fmt: skip
    data = await file_bytes(export_database, job)
    if file_format == "CSV":
        cells = [row[1] for row in csv.reader(io.StringIO(data.decode(), newline=""))][1:]
        assert cells == [escape(name) for name in names]
    else:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = [row[1] for row in book.get_sheet_by_index(0).to_python()[1:]]
    assert [unescape(cell) for cell in cells] == names
