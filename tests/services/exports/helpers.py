"""Run real export jobs in tests and read their files back."""

from __future__ import annotations

import uuid
from typing import Any

import clientbase.services.exports.handler  # noqa: F401 - registers the EXPORT handler
from clientbase.core.db import Database
from clientbase.models.job import Job
from clientbase.services.exports import service as exports
from clientbase.services.files import service as files
from clientbase.services.formula import escape
from clientbase.services.jobs.runner import run_job
from tests.services.imports.helpers import actor
from tests.services.jobs.factories import read_job


async def _published(job_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
    return None


async def start(database: Database, tenant_id: uuid.UUID, entity: str = "CUSTOMERS",
                file_format: str = "CSV", **options: Any) -> Job:  # fmt: skip
    async with database.session(tenant_id) as session:
        job = await exports.start_export(session, actor(tenant_id), entity=entity,
                                         file_format=file_format, **options)  # fmt: skip
        await session.commit()
    return job


async def run(database: Database, job: Job) -> Job:
    await run_job(job.id, database, _published, tenant_id=job.tenant_id)
    return await read_job(database, job.tenant_id, job.id)


async def export(database: Database, tenant_id: uuid.UUID, entity: str = "CUSTOMERS",
                 file_format: str = "CSV", **options: Any) -> Job:  # fmt: skip
    return await run(database, await start(database, tenant_id, entity, file_format, **options))


async def file_bytes(database: Database, job: Job) -> bytes:
    result = exports.result_of(job)
    assert result is not None, (job.status, job.error)
    async with database.session(job.tenant_id) as session:
        return b"".join([chunk async for chunk in files.open_chunks(session, result.file_id)])


# Values a spreadsheet would run as formulas, and one that already starts with an apostrophe.
RISKY_NAMES = ('=HYPERLINK("http://x","y")', "+1 Comércio", "-5% Ofertas", "@Loja",
               "'=já escapado")  # fmt: skip


async def seed_registry(database: Database, tenant_id: uuid.UUID) -> None:
    """A small registry with every entity and relation, loaded by the import itself."""
    from clientbase.services.imports.catalog import ImportEntity as E
    from tests.services.imports.helpers import import_file, row_errors

    def quoted(text: str) -> str:
        # As an export writes it: the import takes the formula escape off again.
        return '"' + escape(text).replace('"', '""') + '"'

    customers = "code,legal_name,trade_name,kind,phone,email,address_city,tax_id,tax_id_country," \
                "category,company_type,birth_date\n"  # fmt: skip
    customers += "C-1,Padaria São João,Pão & Cia,COMPANY,+55 11 98765-4321,a@b.com.br,São Paulo," \
                 "11.222.333/0001-81,BR,Varejo,Ltda,\n"  # fmt: skip
    customers += "C-2,Maria Souza,,PERSON,,,Campinas,,,,,1980-02-29\n"
    for index, name in enumerate(RISKY_NAMES, start=3):
        customers += f"C-{index},{quoted(name)},{quoted(name)},COMPANY,,,,,,,,\n"
    loads = [
        (E.PRODUCT_TYPES, "name,kind\nRouter X1,PRODUCT\n=Suporte,SERVICE\n"),
        (E.CUSTOMER_CATEGORIES, "name\nVarejo\n"),
        (E.COMPANY_TYPES, "name\nLtda\n"),
        (E.CUSTOMERS, customers),
        (E.SITES, "customer_code,name,address_city\nC-1,Loja Centro,São Paulo\n"
                  "C-1,+Filial,Santos\nC-2,Casa,Campinas\n"),
        (E.CONTRACTS, "customer_code,number,title,starts_on,ends_on,status\n"
                      "C-1,K-1,Manutenção,2025-02-01,2026-01-31,ACTIVE\nC-2,K-2,,,,DRAFT\n"),
        (E.CONTACTS, "customer_code,first_name,last_name,email,phone,job_title,is_primary\n"
                     "C-1,Maria,Souza,maria@padaria.com.br,+55 11 91234-5678,Gerente,true\n"
                     "C-1,João,Lima,,,@compras,false\nC-2,Ana,,,,,\n"),
        (E.INVENTORY_ITEMS, "customer_code,contract_number,site_name,product_type,serial_number,"
                            "description\nC-1,K-1,Loja Centro,Router X1,SN-1,=1+1\n"
                            "C-1,K-1,+Filial,=Suporte,SN-2,\nC-2,K-2,Casa,Router X1,SN-3,Casa\n"),
    ]  # fmt: skip
    for entity, text in loads:
        job = await import_file(database, tenant_id, text.encode(), entity=entity)
        assert job.failed == 0 and job.status == "SUCCEEDED", await row_errors(database, job)
