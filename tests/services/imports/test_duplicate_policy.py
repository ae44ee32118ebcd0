"""An import's duplicate policy: CREATE, SKIP (not created, reported) and FLAG (a candidate)."""

from __future__ import annotations

import uuid

import pytest

from clientbase.core.db import Database
from clientbase.services.errors import DomainError
from clientbase.services.imports import service as imports
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import ImportMode
from tests.helpers import committed_tenant
from tests.services.dedupe.helpers import add, pairs
from tests.services.imports.helpers import actor, counts, import_file, row_errors, rows, upload

CNPJ = "11.222.333/0001-81"
CSV = (
    "code,legal_name,tax_id,tax_id_country,phone\n"
    f"N-1,PADARIA SAO JOAO,{CNPJ},BR,+55 11 98765 4321\n"
    "N-2,Oficina Mecânica Estrela,,,\n"
).encode()


async def _tenant_with_bakery(database: Database) -> tuple[uuid.UUID, uuid.UUID]:
    tenant = await committed_tenant(database)
    bakery = await add(database, tenant.tenant_id, legal_name="Padaria São João Ltda",
                       tax_id=CNPJ, tax_id_country="BR", phone="+55 (11) 98765-4321")  # fmt: skip
    return tenant.tenant_id, bakery


async def _codes(database: Database, tenant_id: uuid.UUID) -> list[str]:
    found = await rows(database, tenant_id, "SELECT code FROM customer WHERE code LIKE 'N-%'")
    return sorted(r.code for r in found)


async def test_skip_leaves_a_likely_duplicate_uncreated_and_says_which(
    database: Database,
) -> None:
    tenant_id, _ = await _tenant_with_bakery(database)
    job = await import_file(database, tenant_id, CSV, duplicate_policy="SKIP")
    assert counts(job) == {"status": "SUCCEEDED", "processed": 2, "created": 1,
                           "updated": 0, "skipped": 1, "failed": 0}  # fmt: skip
    assert await _codes(database, tenant_id) == ["N-2"]
    assert await row_errors(database, job) == [(2, None, "DUPLICATE")]
    [message] = await rows(database, tenant_id, "SELECT message FROM import_row_error")
    assert "Padaria São João Ltda" in message.message and "taxId" in message.message


async def test_flag_creates_the_row_and_records_a_candidate(database: Database) -> None:
    tenant_id, bakery = await _tenant_with_bakery(database)
    job = await import_file(database, tenant_id, CSV, duplicate_policy="FLAG")
    assert (job.created, job.skipped, job.failed) == (2, 0, 0)
    [new] = await rows(database, tenant_id, "SELECT id FROM customer WHERE code = 'N-1'")
    found = await pairs(database, tenant_id)
    assert list(found) == [frozenset({bakery, new.id})]
    candidate = found[frozenset({bakery, new.id})]
    assert candidate.status == "OPEN" and candidate.band == "LIKELY"
    assert candidate.job_id == job.id


async def test_create_is_the_default_and_looks_for_nothing(database: Database) -> None:
    tenant_id, _ = await _tenant_with_bakery(database)
    job = await import_file(database, tenant_id, CSV)
    assert (job.created, job.skipped) == (2, 0)
    assert await pairs(database, tenant_id) == {}


@pytest.mark.parametrize(
    ("entity", "policy"), [(ImportEntity.CUSTOMERS, "MAYBE"), (ImportEntity.CONTACTS, "SKIP")]
)
async def test_a_policy_it_cannot_apply_is_refused(
    database: Database, entity: ImportEntity, policy: str
) -> None:
    tenant = await committed_tenant(database)
    file_id = await upload(database, tenant.tenant_id, CSV, "f.csv")
    async with database.session(tenant.tenant_id) as session:
        with pytest.raises(DomainError) as refused:
            await imports.start_import(session, actor(tenant.tenant_id), file_id=file_id,
                                       entity=entity, mode=ImportMode.UPSERT,
                                       duplicate_policy=policy)  # fmt: skip
    assert refused.value.problems[0].field == ("duplicatePolicy",)


# The same company twice in one file (other spelling, same tax id and phone), and a
# stranger between them.
TWICE = (
    "code,legal_name,tax_id,tax_id_country,phone\n"
    f"T-1,Padaria São João Ltda,{CNPJ},BR,+55 11 98765 4321\n"
    "T-2,Oficina Mecânica Estrela,,,\n"
    f"T-3,PADARIA SAO JOAO,{CNPJ},BR,+55 (11) 98765-4321\n"
).encode()


async def test_skip_creates_a_customer_a_file_holds_twice_once(database: Database) -> None:
    tenant = await committed_tenant(database)
    job = await import_file(database, tenant.tenant_id, TWICE, duplicate_policy="SKIP")
    assert (job.created, job.skipped, job.failed) == (2, 1, 0)
    found = await rows(database, tenant.tenant_id, "SELECT code FROM customer ORDER BY code")
    assert [r.code for r in found] == ["T-1", "T-2"]
    assert await row_errors(database, job) == [(4, None, "DUPLICATE")]
    [message] = await rows(database, tenant.tenant_id, "SELECT message FROM import_row_error")
    assert "row 2 of this file" in message.message and "taxId" in message.message


async def test_flag_records_the_pair_a_file_holds(database: Database) -> None:
    tenant = await committed_tenant(database)
    job = await import_file(database, tenant.tenant_id, TWICE, duplicate_policy="FLAG")
    assert (job.created, job.skipped) == (3, 0)
    both = await rows(database, tenant.tenant_id,
                      "SELECT id FROM customer WHERE code IN ('T-1', 'T-3')")  # fmt: skip
    found = await pairs(database, tenant.tenant_id)
    assert list(found) == [frozenset(r.id for r in both)]
    assert found[frozenset(r.id for r in both)].band == "LIKELY"
