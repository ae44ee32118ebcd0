"""Reference data fields: lists and admin-only create, update and delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from clientbase import models
from clientbase.models.product_type import ProductKind as ProductKindValue
from clientbase.resolvers.mutation import decode_id, run_mutation
from clientbase.schema.common import Connection, DeletePayload, page_request, provided
from clientbase.schema.lists import Info, root_connection
from clientbase.schema.reference import (
    CompanyType,
    CompanyTypePayload,
    CustomerCategory,
    CustomerCategoryPayload,
    NameInput,
    NameUpdateInput,
    ProductType,
    ProductTypeInput,
    ProductTypePayload,
    ProductTypeUpdateInput,
)
from clientbase.services.auth.principal import Role
from clientbase.services.query.pagination import PageRequest
from clientbase.services.reference import service as reference

T = TypeVar("T")


@strawberry.type
class ReferenceQueries:
    @strawberry.field
    async def product_types(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
    ) -> Connection[ProductType]:
        page = page_request(first, after, last, before)
        return await _listed(info, models.ProductType, ProductType.from_row, page, search)

    @strawberry.field
    async def customer_categories(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
    ) -> Connection[CustomerCategory]:
        page = page_request(first, after, last, before)
        return await _listed(info, models.CustomerCategory, CustomerCategory.from_row, page, search)

    @strawberry.field
    async def company_types(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
    ) -> Connection[CompanyType]:
        page = page_request(first, after, last, before)
        return await _listed(info, models.CompanyType, CompanyType.from_row, page, search)


async def _listed(
    info: Info, model: Any, to_node: Callable[[Any], T], page: PageRequest, search: str | None
) -> Connection[T]:
    """A reference list in name order, narrowed by `search`."""
    query, keys = reference.list_query(model, search), reference.sort_keys(model)
    return await root_connection(info, query, keys, page, to_node)


async def _create(info: Info, model: Any, data: dict[str, Any]) -> Any:
    outcome = await run_mutation(
        info, Role.ADMIN, lambda session, actor: reference.create(session, actor, model, data)
    )
    return outcome


async def _update(
    info: Info, model: Any, id: str, changes: dict[str, Any], expected_version: int | None
) -> Any:
    async def work(session: Any, actor: Any) -> Any:
        row_id = decode_id(id, reference.ENTITY[model])
        return await reference.update(session, actor, model, row_id, changes, expected_version)

    return await run_mutation(info, Role.ADMIN, work)


async def _delete(info: Info, model: Any, id: str) -> DeletePayload:
    async def work(session: Any, actor: Any) -> None:
        await reference.delete(session, actor, model, decode_id(id, reference.ENTITY[model]))

    outcome = await run_mutation(info, Role.ADMIN, work, deleting=True)
    return DeletePayload(
        deleted_id=None if outcome.errors else strawberry.ID(id), user_errors=outcome.errors
    )


@strawberry.type
class ReferenceMutations:
    @strawberry.mutation
    async def product_type_create(self, info: Info, input: ProductTypeInput) -> ProductTypePayload:
        o = await _create(
            info,
            models.ProductType,
            {"name": input.name, "kind": ProductKindValue(input.kind).value},
        )
        return ProductTypePayload(
            product_type=o.value and ProductType.from_row(o.value), user_errors=o.errors
        )

    @strawberry.mutation
    async def product_type_update(
        self,
        info: Info,
        id: strawberry.ID,
        input: ProductTypeUpdateInput,
        expected_version: int | None = None,
    ) -> ProductTypePayload:
        o = await _update(info, models.ProductType, id, provided(input), expected_version)
        return ProductTypePayload(
            product_type=o.value and ProductType.from_row(o.value), user_errors=o.errors
        )

    @strawberry.mutation
    async def product_type_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await _delete(info, models.ProductType, id)

    @strawberry.mutation
    async def customer_category_create(
        self, info: Info, input: NameInput
    ) -> CustomerCategoryPayload:
        o = await _create(info, models.CustomerCategory, {"name": input.name})
        return CustomerCategoryPayload(
            customer_category=o.value and CustomerCategory.from_row(o.value), user_errors=o.errors
        )

    @strawberry.mutation
    async def customer_category_update(
        self,
        info: Info,
        id: strawberry.ID,
        input: NameUpdateInput,
        expected_version: int | None = None,
    ) -> CustomerCategoryPayload:
        o = await _update(info, models.CustomerCategory, id, provided(input), expected_version)
        return CustomerCategoryPayload(
            customer_category=o.value and CustomerCategory.from_row(o.value), user_errors=o.errors
        )

    @strawberry.mutation
    async def customer_category_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await _delete(info, models.CustomerCategory, id)

    @strawberry.mutation
    async def company_type_create(self, info: Info, input: NameInput) -> CompanyTypePayload:
        o = await _create(info, models.CompanyType, {"name": input.name})
        return CompanyTypePayload(
            company_type=o.value and CompanyType.from_row(o.value), user_errors=o.errors
        )

    @strawberry.mutation
    async def company_type_update(
        self,
        info: Info,
        id: strawberry.ID,
        input: NameUpdateInput,
        expected_version: int | None = None,
    ) -> CompanyTypePayload:
        o = await _update(info, models.CompanyType, id, provided(input), expected_version)
        return CompanyTypePayload(
            company_type=o.value and CompanyType.from_row(o.value), user_errors=o.errors
        )

    @strawberry.mutation
    async def company_type_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await _delete(info, models.CompanyType, id)
