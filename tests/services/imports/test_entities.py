"""Every entity imports, with its relations named by code, number and name."""

from __future__ import annotations

from clientbase.core.db import Database
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import ImportMode
from tests.helpers import committed_tenant
from tests.services.imports.helpers import counts, import_file, row_errors, rows


async def test_reference_data_customers_children_and_inventory_by_their_names(
    database: Database,
) -> None:
    tenant = await committed_tenant(database)
    t = tenant.tenant_id

    async def load(entity: ImportEntity, text: str, **options: object) -> dict[str, object]:
        job = await import_file(database, t, text.encode(), entity=entity, **options)
        assert job.failed == 0, await row_errors(database, job)
        return counts(job)

    await load(ImportEntity.PRODUCT_TYPES, "Nome,Tipo\nRouter X1,produto\nSuporte,serviço\n")
    await load(ImportEntity.CUSTOMER_CATEGORIES, "Categoria\nVarejo\n")
    await load(ImportEntity.COMPANY_TYPES, "name\nLtda\n")
    await load(
        ImportEntity.CUSTOMERS,
        "Código,Razón Social,Categoria,Tipo de empresa\nC-1,Padaria,Varejo,Ltda\nC-2,Mercado,,\n",
    )
    await load(
        ImportEntity.SITES, "Cliente,Nome,Cidade\nC-1,Loja Centro,São Paulo\nC-2,Matriz,Campinas\n"
    )
    await load(
        ImportEntity.CONTRACTS,
        "cliente,número do contrato,início,fim\nC-1,K-1,01/02/2025,2026-01-31\nC-2,K-2,,\n",
    )
    await load(
        ImportEntity.CONTACTS,
        "Cliente,Nome,E-mail,Teléfono,Principal\n"
        "C-1,Maria Souza,Maria@Padaria.com.br,,sim\n"
        "C-1,João Lima,joao@padaria.com.br,,sim\n",
    )
    await load(
        ImportEntity.INVENTORY_ITEMS,
        "Cliente;Contrato;Local;Produto;Número de Série\n"
        "C-1;K-1;Loja Centro;Router X1;SN-1\nC-1;K-1;Loja Centro;Router X1;SN-2\n",
    )
    customer = await rows(
        database,
        t,
        "SELECT c.code, k.name AS category, y.name AS type "
        "FROM customer c JOIN customer_category k ON k.id = c.category_id "
        "JOIN company_type y ON y.id = c.company_type_id",
    )
    assert [tuple(r) for r in customer] == [("C-1", "Varejo", "Ltda")]
    contracts = await rows(
        database, t, "SELECT number, starts_on::text, ends_on::text FROM contract ORDER BY number"
    )
    assert [tuple(r) for r in contracts] == [
        ("K-1", "2025-02-01", "2026-01-31"),
        ("K-2", None, None),
    ]
    # The second primary demoted the first, as contactUpdate would.
    contacts = await rows(
        database, t, "SELECT email, is_primary, name_key FROM contact ORDER BY email"
    )
    assert [tuple(r) for r in contacts] == [
        ("joao@padaria.com.br", True, "joao lima"),
        ("maria@padaria.com.br", False, "maria souza"),
    ]
    items = await rows(
        database,
        t,
        "SELECT i.serial_number, s.name FROM inventory_item i "
        "JOIN site s ON s.id = i.site_id ORDER BY 1",
    )
    assert [tuple(r) for r in items] == [("SN-1", "Loja Centro"), ("SN-2", "Loja Centro")]


async def test_relations_that_do_not_fit_are_row_errors(database: Database) -> None:
    tenant = await committed_tenant(database)
    t = tenant.tenant_id
    for entity, text in (
        (ImportEntity.PRODUCT_TYPES, "name,kind\nRouter,PRODUCT\n"),
        (ImportEntity.CUSTOMERS, "code,legal name\nA,Alpha\nB,Beta\n"),
        (ImportEntity.SITES, "customer,name\nA,Site A\nB,Site B\n"),
        (ImportEntity.CONTRACTS, "customer,number\nA,K-A\nB,K-B\n"),
    ):
        await import_file(database, t, text.encode(), entity=entity)
    data = (
        b"customer code,contract,site,product type,serial\n"
        b"A,K-B,Site A,Router,S1\n"  # the contract is B's
        b"A,K-A,Site B,Router,S2\n"  # B's site is not found at A
        b"Z,K-A,Site A,Router,S3\n"  # no customer Z
        b"A,K-A,Site A,Modem,S4\n"  # no product type Modem
        b"A,K-A,Site A,Router,S5\n"  # fine
    )
    job = await import_file(
        database, t, data, entity=ImportEntity.INVENTORY_ITEMS, mode=ImportMode.INSERT
    )
    assert (job.created, job.failed) == (1, 4)
    errors = await row_errors(database, job)
    assert (2, "contract", "WRONG_CUSTOMER") in errors
    assert (3, "site", "NOT_FOUND") in errors
    assert (4, "customer code", "NOT_FOUND") in errors
    assert (5, "product type", "NOT_FOUND") in errors
