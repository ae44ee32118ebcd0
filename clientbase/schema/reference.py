"""GraphQL types for reference data: ProductType, CustomerCategory, CompanyType."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from clientbase import models
from clientbase.models.product_type import ProductKind as ProductKindValue
from clientbase.schema.common import Node, UserError
from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info, by_ids
from clientbase.schema.node import register_node

ProductKind = strawberry.enum(ProductKindValue, name="ProductKind")


@strawberry.type
class ProductType(Node):
    row_id: strawberry.Private[uuid.UUID]
    name: str
    kind: ProductKind  # type: ignore[valid-type]
    version: int

    @classmethod
    def from_row(cls, row: models.ProductType) -> ProductType:
        return cls(id=strawberry.ID(to_global_id("ProductType", row.id)), row_id=row.id,
                   name=row.name, kind=ProductKindValue(row.kind), version=row.version)  # fmt: skip


@strawberry.type
class CustomerCategory(Node):
    row_id: strawberry.Private[uuid.UUID]
    name: str
    version: int

    @classmethod
    def from_row(cls, row: models.CustomerCategory) -> CustomerCategory:
        return cls(id=strawberry.ID(to_global_id("CustomerCategory", row.id)), row_id=row.id,
                   name=row.name, version=row.version)  # fmt: skip


@strawberry.type
class CompanyType(Node):
    row_id: strawberry.Private[uuid.UUID]
    name: str
    version: int

    @classmethod
    def from_row(cls, row: models.CompanyType) -> CompanyType:
        return cls(id=strawberry.ID(to_global_id("CompanyType", row.id)), row_id=row.id,
                   name=row.name, version=row.version)  # fmt: skip


@strawberry.input
class ProductTypeInput:
    name: str
    kind: ProductKind  # type: ignore[valid-type]


@strawberry.input
class ProductTypeUpdateInput:
    name: strawberry.Maybe[str]
    kind: strawberry.Maybe[ProductKind]  # type: ignore[valid-type]


@strawberry.input
class NameInput:
    name: str


@strawberry.input
class NameUpdateInput:
    name: strawberry.Maybe[str]


@strawberry.type
class ProductTypePayload:
    product_type: ProductType | None
    user_errors: list[UserError]


@strawberry.type
class CustomerCategoryPayload:
    customer_category: CustomerCategory | None
    user_errors: list[UserError]


@strawberry.type
class CompanyTypePayload:
    company_type: CompanyType | None
    user_errors: list[UserError]


CONVERTERS: dict[Any, Any] = {
    models.ProductType: ProductType.from_row,
    models.CustomerCategory: CustomerCategory.from_row,
    models.CompanyType: CompanyType.from_row,
}


def _node_loader(model: Any) -> Any:
    async def load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
        return await by_ids(info, model, ids, CONVERTERS[model])

    return load


register_node("ProductType", _node_loader(models.ProductType))
register_node("CustomerCategory", _node_loader(models.CustomerCategory))
register_node("CompanyType", _node_loader(models.CompanyType))
