"""Create, update, delete and list reference data; the three kinds share one shape."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.company_type import CompanyType
from clientbase.models.customer_category import CustomerCategory
from clientbase.models.product_type import ProductKind, ProductType
from clientbase.services import records, validation
from clientbase.services.auth.principal import Principal
from clientbase.services.query.filters import Field, compile_filter
from clientbase.services.query.pagination import SortKey

ReferenceModel = type[ProductType] | type[CustomerCategory] | type[CompanyType]
Reference = ProductType | CustomerCategory | CompanyType

ENTITY: dict[Any, str] = {
    ProductType: "ProductType",
    CustomerCategory: "CustomerCategory",
    CompanyType: "CompanyType",
}


def sort_keys(model: ReferenceModel) -> list[SortKey]:
    return [SortKey(model.name, "name"), SortKey(model.id, "id")]


def list_query(model: ReferenceModel, search: str | None = None) -> Select[Any]:
    stmt = select(model)
    if search:
        stmt = stmt.where(
            compile_filter({"name": {"contains": search}}, {"name": Field(model.name)})
        )
    return stmt


def _check(model: ReferenceModel, data: Mapping[str, Any], creating: bool) -> None:
    checks = [validation.text(data.get("name"), "name", required=creating or "name" in data)]
    if model is ProductType and (creating or "kind" in data):
        checks.append(validation.text(data.get("kind"), "kind", required=True))
        checks.append(validation.one_of(data.get("kind"), "kind", [k.value for k in ProductKind]))
    records.collect(*checks)


async def create(
    session: AsyncSession, actor: Principal, model: ReferenceModel, data: Mapping[str, Any]
) -> Reference:
    data = {key: validation.clean(value) for key, value in data.items()}
    _check(model, data, creating=True)
    row = model(id=uuid.uuid4(), tenant_id=actor.tenant_id, **data)
    return await records.create(session, actor, row, ENTITY[model])


async def update(
    session: AsyncSession,
    actor: Principal,
    model: ReferenceModel,
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Reference:
    changes = {key: validation.clean(value) for key, value in changes.items()}
    _check(model, changes, creating=False)
    row = await records.load_for_update(session, model, row_id, ENTITY[model], expected_version)
    await records.update(session, actor, row, changes, ENTITY[model])
    return row


async def delete(
    session: AsyncSession, actor: Principal, model: ReferenceModel, row_id: uuid.UUID
) -> None:
    row = await records.get(session, model, row_id, ENTITY[model])
    await records.delete(session, actor, row, ENTITY[model])
