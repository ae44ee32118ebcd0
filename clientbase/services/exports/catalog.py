"""What each entity exports: its columns, named as the import names its fields, plus the
record ids and the readable labels of its relations (customer code and name, site name,
contract number, product type name), so that an export imports back unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import FromClause, Select, outerjoin
from sqlalchemy.orm import aliased

from clientbase.models.company_type import CompanyType
from clientbase.models.contact import Contact
from clientbase.models.contract import Contract
from clientbase.models.customer import Customer
from clientbase.models.customer_category import CustomerCategory
from clientbase.models.inventory_item import InventoryItem
from clientbase.models.product_type import ProductType
from clientbase.models.site import Site
from clientbase.services.contact import queries as contact_queries
from clientbase.services.contract import queries as contract_queries
from clientbase.services.customer import queries as customer_queries
from clientbase.services.errors import DomainError, ErrorCode, Problem
from clientbase.services.imports.mapping import header_key
from clientbase.services.inventory import queries as inventory_queries
from clientbase.services.query.filters import FieldMap, Filter
from clientbase.services.site import queries as site_queries

MAX_COLUMNS = 100


class ExportEntity(enum.StrEnum):
    # The same values as the import's entities: an export is imported back as the same one.
    CUSTOMERS = "CUSTOMERS"
    CONTACTS = "CONTACTS"
    SITES = "SITES"
    CONTRACTS = "CONTRACTS"
    INVENTORY_ITEMS = "INVENTORY_ITEMS"


class ExportFormat(enum.StrEnum):
    CSV = "CSV"
    XLSX = "XLSX"
    JSONL = "JSONL"


# Column name -> a mapped attribute or column expression.
Columns = dict[str, Any]
# The FROM clause (the entity's table and its relations, aliased so that the filter's own
# EXISTS subqueries never correlate with them) and the columns over it, in export order.
Source = tuple[FromClause, Columns]


@dataclass(frozen=True)
class EntityExport:
    entity: ExportEntity
    list_query: Callable[[Filter | None, str | None], Select[Any]]
    fields: FieldMap
    source: Callable[[], Source]
    # Rows come sorted by these columns, then by id.
    order: tuple[str, ...]
    # Columns left out unless asked for.
    optional: frozenset[str] = frozenset()


_ADDRESS = ("line1", "line2", "number", "city", "region", "postal_code", "country")


def _address(model: Any) -> Columns:
    return {f"address_{part}": getattr(model, f"address_{part}") for part in _ADDRESS}


def _stamps(model: Any) -> Columns:
    return {"created_at": model.created_at, "updated_at": model.updated_at}


def _customer_of(customer: Any) -> Columns:
    return {
        "customer_id": customer.id, "customer_code": customer.code,
        "customer_ref": customer.external_ref, "customer_name": customer.legal_name,
    }  # fmt: skip


def _customers() -> Source:
    category = aliased(CustomerCategory, name="export_category")
    company_type = aliased(CompanyType, name="export_company_type")
    source = outerjoin(Customer, category, category.id == Customer.category_id).outerjoin(
        company_type, company_type.id == Customer.company_type_id
    )
    c = Customer
    return source, {
        "id": c.id, "code": c.code, "external_ref": c.external_ref, "kind": c.kind,
        "legal_name": c.legal_name, "trade_name": c.trade_name, "tax_id": c.tax_id,
        "tax_id_country": c.tax_id_country, "birth_date": c.birth_date, "email": c.email,
        "phone": c.phone, "website": c.website, "status": c.status, **_address(c),
        "category": category.name, "category_id": category.id,
        "company_type": company_type.name, "company_type_id": company_type.id, **_stamps(c),
    }  # fmt: skip


def _contacts() -> Source:
    customer = aliased(Customer, name="export_customer")
    source = Contact.__table__.join(customer, customer.id == Contact.customer_id)
    c = Contact
    return source, {
        "id": c.id, **_customer_of(customer), "first_name": c.first_name,
        "last_name": c.last_name, "full_name": c.full_name, "email": c.email, "phone": c.phone,
        "job_title": c.job_title, "is_primary": c.is_primary, **_stamps(c),
    }  # fmt: skip


def _sites() -> Source:
    customer = aliased(Customer, name="export_customer")
    source = Site.__table__.join(customer, customer.id == Site.customer_id)
    return source, {"id": Site.id, **_customer_of(customer), "name": Site.name,
                    **_address(Site), **_stamps(Site)}  # fmt: skip


def _contracts() -> Source:
    customer = aliased(Customer, name="export_customer")
    source = Contract.__table__.join(customer, customer.id == Contract.customer_id)
    c = Contract
    return source, {
        "id": c.id, **_customer_of(customer), "number": c.number, "title": c.title,
        "status": c.status, "starts_on": c.starts_on, "ends_on": c.ends_on, **_stamps(c),
    }  # fmt: skip


def _inventory_items() -> Source:
    customer = aliased(Customer, name="export_customer")
    contract = aliased(Contract, name="export_contract")
    site = aliased(Site, name="export_site")
    product_type = aliased(ProductType, name="export_product_type")
    i = InventoryItem
    source = (
        InventoryItem.__table__.join(customer, customer.id == i.customer_id)
        .join(contract, contract.id == i.contract_id)
        .join(site, site.id == i.site_id)
        .join(product_type, product_type.id == i.product_type_id)
    )
    return source, {
        "id": i.id, **_customer_of(customer), "contract_number": contract.number,
        "contract_id": contract.id, "site_name": site.name, "site_id": site.id,
        "product_type": product_type.name, "product_type_id": product_type.id,
        "serial_number": i.serial_number, "description": i.description, "notes": i.notes,
        "status": i.status, **_stamps(i),
    }  # fmt: skip


_CHILD_OPTIONAL = frozenset({"customer_ref"})
ENTITIES: dict[ExportEntity, EntityExport] = {
    ExportEntity.CUSTOMERS: EntityExport(
        ExportEntity.CUSTOMERS, customer_queries.list_query, customer_queries.FIELDS,
        _customers, ("code",)),
    ExportEntity.CONTACTS: EntityExport(
        ExportEntity.CONTACTS, contact_queries.list_query, contact_queries.FIELDS, _contacts,
        ("customer_code", "full_name"), _CHILD_OPTIONAL),
    ExportEntity.SITES: EntityExport(
        ExportEntity.SITES, site_queries.list_query, site_queries.FIELDS, _sites,
        ("customer_code", "name"), _CHILD_OPTIONAL),
    ExportEntity.CONTRACTS: EntityExport(
        ExportEntity.CONTRACTS, contract_queries.list_query, contract_queries.FIELDS,
        _contracts, ("number",), _CHILD_OPTIONAL),
    ExportEntity.INVENTORY_ITEMS: EntityExport(
        ExportEntity.INVENTORY_ITEMS, inventory_queries.list_query, inventory_queries.FIELDS,
        _inventory_items, ("product_type", "serial_number"), _CHILD_OPTIONAL),
}  # fmt: skip


def column_names(entity: ExportEntity) -> list[str]:
    """Every column the entity can export, in export order."""
    return list(ENTITIES[entity].source()[1])


def default_columns(entity: ExportEntity) -> list[str]:
    optional = ENTITIES[entity].optional
    return [name for name in column_names(entity) if name not in optional]


def parse_entity(value: str) -> ExportEntity:
    """An entity from its name in any spelling ("inventory-items", "CONTACTS")."""
    try:
        return ExportEntity(value.strip().upper().replace("-", "_").replace(" ", "_"))
    except ValueError:
        names = ", ".join(e.value for e in ExportEntity)
        raise DomainError([Problem(("entity",), ErrorCode.INVALID,
                                   f"{value!r} is not an exportable entity; one of {names}.")]
                          ) from None  # fmt: skip


def resolve_columns(entity: ExportEntity, wanted: Sequence[str] | None) -> list[str]:
    """The columns to export: the defaults, or `wanted` in any spelling (legalName,
    legal_name) in the caller's order; a problem names each unknown or repeated one."""
    if wanted is None:
        return default_columns(entity)
    available = {header_key(name): name for name in column_names(entity)}
    if not wanted:
        raise DomainError([Problem(("columns",), ErrorCode.REQUIRED, "Name at least one column.")])
    if len(wanted) > MAX_COLUMNS:
        raise DomainError([Problem(("columns",), ErrorCode.LIMIT_EXCEEDED,
                                   f"At most {MAX_COLUMNS} columns.")])  # fmt: skip
    chosen: list[str] = []
    problems: list[Problem] = []
    for index, name in enumerate(wanted):
        found = available.get(header_key(name))
        if found is None:
            listed = ", ".join(available.values())
            problems.append(Problem(("columns", str(index)), ErrorCode.INVALID,
                                    f"{name!r} is not a column of {entity.value}; "
                                    f"the columns are {listed}."))  # fmt: skip
        elif found in chosen:
            problems.append(Problem(("columns", str(index)), ErrorCode.INVALID,
                                    f"{name!r} is named twice."))  # fmt: skip
        else:
            chosen.append(found)
    if problems:
        raise DomainError(problems)
    return chosen
