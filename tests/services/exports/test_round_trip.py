"""An export imported back: with UPSERT into the same registry it changes nothing, and into
an empty one it gives the very values exported, formula-like ones included."""

from __future__ import annotations

import pytest

from clientbase.core.db import Database
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import ImportMode
from tests.helpers import committed_tenant
from tests.services.exports.helpers import RISKY_NAMES, export, file_bytes, seed_registry
from tests.services.imports.helpers import counts, import_file, row_errors, rows

ENTITIES = ("CUSTOMERS", "CONTACTS", "SITES", "CONTRACTS", "INVENTORY_ITEMS")
SIZES = {"CUSTOMERS": 7, "CONTACTS": 3, "SITES": 3, "CONTRACTS": 2, "INVENTORY_ITEMS": 3}
EXTENSIONS = {"CSV": "csv", "XLSX": "xlsx", "JSONL": "jsonl"}


@pytest.mark.parametrize("file_format", ["CSV", "XLSX", "JSONL"])
async def test_an_export_upserted_back_changes_nothing(
    export_database: Database, file_format: str
) -> None:
    tenant = await committed_tenant(export_database)
    await seed_registry(export_database, tenant.tenant_id)
    before = await rows(export_database, tenant.tenant_id,
                        "SELECT 'customer', id, version FROM customer UNION ALL "
                        "SELECT 'contact', id, version FROM contact UNION ALL "
                        "SELECT 'item', id, version FROM inventory_item ORDER BY 2")  # fmt: skip
    for entity in ENTITIES:
        job = await export(export_database, tenant.tenant_id, entity, file_format,
                           bom=file_format == "CSV")  # fmt: skip
        assert job.processed == SIZES[entity], job.error
        data = await file_bytes(export_database, job)
        back = await import_file(export_database, tenant.tenant_id, data,
                                 f"export.{EXTENSIONS[file_format]}", entity=ImportEntity(entity),
                                 mode=ImportMode.UPSERT)  # fmt: skip
        assert counts(back) == {"status": "SUCCEEDED", "processed": SIZES[entity], "created": 0,
                                "updated": 0, "skipped": SIZES[entity], "failed": 0}, (
            entity, await row_errors(export_database, back), back.error)  # fmt: skip
    after = await rows(export_database, tenant.tenant_id,
                       "SELECT 'customer', id, version FROM customer UNION ALL "
                       "SELECT 'contact', id, version FROM contact UNION ALL "
                       "SELECT 'item', id, version FROM inventory_item ORDER BY 2")  # fmt: skip
    assert after == before


@pytest.mark.parametrize("file_format", ["CSV", "XLSX"])
async def test_formula_like_values_come_back_as_they_were(
    export_database: Database, file_format: str
) -> None:
    source = await committed_tenant(export_database)
    await seed_registry(export_database, source.tenant_id)
    job = await export(export_database, source.tenant_id, "CUSTOMERS", file_format)
    data = await file_bytes(export_database, job)
    target = await committed_tenant(export_database)
    await import_file(export_database, target.tenant_id, b"name\nVarejo\n",
                      entity=ImportEntity.CUSTOMER_CATEGORIES)  # fmt: skip
    await import_file(export_database, target.tenant_id, b"name\nLtda\n",
                      entity=ImportEntity.COMPANY_TYPES)  # fmt: skip
    copied = await import_file(export_database, target.tenant_id, data,
                               f"c.{EXTENSIONS[file_format]}", mode=ImportMode.INSERT)  # fmt: skip
    assert copied.created == 7, await row_errors(export_database, copied)
    query = "SELECT code, legal_name, trade_name, phone, birth_date FROM customer ORDER BY code"
    original = await rows(export_database, source.tenant_id, query)
    assert await rows(export_database, target.tenant_id, query) == original
    assert {r.legal_name for r in original} >= set(RISKY_NAMES)
