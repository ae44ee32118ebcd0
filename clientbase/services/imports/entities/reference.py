"""Reference data (product types, customer categories, company types): found by name."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.company_type import CompanyType
from clientbase.models.customer_category import CustomerCategory
from clientbase.models.product_type import ProductType
from clientbase.services import validation
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import EntityImport, ImportMode, fetch_by
from clientbase.services.imports.rows import Row
from clientbase.services.reference import service as reference


class ReferenceImport(EntityImport):
    key_fields = (("name",),)

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        return {key: validation.clean(value) for key, value in data.items()}

    def claims(self, row: Row) -> Iterable[Hashable]:
        return [("name", row.data.get("name"))]

    async def resolve(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        existing = await fetch_by(session, self.table, "name",
                                  (r.data.get("name") for r in rows), lock=True)  # fmt: skip
        for row in rows:
            row.existing = existing.get(row.data.get("name"))

    def check(self, row: Row) -> None:
        model: Any = self.model
        existing = row.existing
        if existing is None:
            # The service's own rule (name required; a product type needs its kind).
            if self.check_with(row, lambda: reference._check(model, row.data, creating=True)):
                row.record = self.new_record(row.data)
        elif self.mode is ImportMode.INSERT:
            self.taken(row, "name", f"uq_{self.table.name}_tenant_id_name")
        else:
            changes = {k: v for k, v in row.data.items() if v is not None}
            if self.check_with(row, lambda: reference._check(model, changes, creating=False)):
                row.record = self.updated_record(existing, changes)


class ProductTypeImport(ReferenceImport):
    entity = ImportEntity.PRODUCT_TYPES
    model = ProductType
    audit_entity = reference.ENTITY[ProductType]
    create_fields = (("kind",),)


class CustomerCategoryImport(ReferenceImport):
    entity = ImportEntity.CUSTOMER_CATEGORIES
    model = CustomerCategory
    audit_entity = reference.ENTITY[CustomerCategory]


class CompanyTypeImport(ReferenceImport):
    entity = ImportEntity.COMPANY_TYPES
    model = CompanyType
    audit_entity = reference.ENTITY[CompanyType]
