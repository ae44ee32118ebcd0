"""Each importable entity's rules, by ImportEntity."""

from __future__ import annotations

import uuid

from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import EntityImport, ImportMode
from clientbase.services.imports.entities.children import ContractImport, SiteImport
from clientbase.services.imports.entities.contacts import ContactImport
from clientbase.services.imports.entities.customers import CustomerImport
from clientbase.services.imports.entities.inventory import InventoryImport
from clientbase.services.imports.entities.reference import (
    CompanyTypeImport,
    CustomerCategoryImport,
    ProductTypeImport,
)
from clientbase.services.imports.mapping import ColumnMapping

HANDLERS: dict[ImportEntity, type[EntityImport]] = {
    ImportEntity.CUSTOMERS: CustomerImport,
    ImportEntity.CONTACTS: ContactImport,
    ImportEntity.SITES: SiteImport,
    ImportEntity.CONTRACTS: ContractImport,
    ImportEntity.INVENTORY_ITEMS: InventoryImport,
    ImportEntity.PRODUCT_TYPES: ProductTypeImport,
    ImportEntity.CUSTOMER_CATEGORIES: CustomerCategoryImport,
    ImportEntity.COMPANY_TYPES: CompanyTypeImport,
}


def handler_for(
    entity: ImportEntity, mapping: ColumnMapping, mode: ImportMode, tenant_id: uuid.UUID
) -> EntityImport:
    return HANDLERS[entity](mapping, mode, tenant_id)
