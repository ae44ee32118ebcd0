"""Exports end to end on real PostgreSQL: each format, filters, relation columns, escaping."""

from __future__ import annotations

import csv
import io

from clientbase.core.db import Database
from tests.helpers import committed_tenant
from tests.services.exports.helpers import export, file_bytes
from tests.services.imports.helpers import import_file

CUSTOMERS = (
    "code,legal name,kind,phone,email,city,tax id,tax id country\n"
    "C-1,=HYPERLINK(\"http://x\"),COMPANY,+55 11 98765-4321,a@b.com,São Paulo,11.222.333/0001-81,BR\n"
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
    assert rows[0]["legal_name"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["phone"] == "'+5511987654321"
    assert rows[1]["address_city"] == "Campinas" and rows[1]["phone"] == ""
