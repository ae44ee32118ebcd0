"""Inventory services on a real database: ownership rules in code and in constraints, audit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models import AuditEvent, InventoryItem
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.errors import DomainError
from clientbase.services.inventory import actions, service
from tests.models.factories import (
    make_contract,
    make_customer,
    make_item,
    make_product_type,
    make_site,
    make_tenant,
)


def _actor(tenant_id: uuid.UUID) -> Principal:
    return Principal(tenant_id, Role.EDITOR, "SYSTEM", "tests", "service tests")


def _codes(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[tuple[str, ...], str]]:
    return [(p.field, p.code.value) for p in error.value.problems]


async def _setup(db: AsyncSession) -> dict[str, Any]:
    tenant = await make_tenant(db)
    customer = await make_customer(db, tenant)
    other = await make_customer(db, tenant)
    return {
        "tenant": tenant,
        "actor": _actor(tenant),
        "data": {
            "customer_id": customer,
            "contract_id": await make_contract(db, tenant, customer),
            "site_id": await make_site(db, tenant, customer),
            "product_type_id": await make_product_type(db, tenant),
            "serial_number": " SN-1 ",
        },
        "other_contract": await make_contract(db, tenant, other),
        "other_site": await make_site(db, tenant, other),
    }


async def test_create_is_audited_and_trims_text(db: AsyncSession) -> None:
    s = await _setup(db)
    item = await service.create(db, s["actor"], s["data"])
    assert (item.serial_number, item.status, item.version) == ("SN-1", "ACTIVE", 1)
    event = await db.scalar(select(AuditEvent).where(AuditEvent.entity_id == item.id))
    assert event is not None and event.action == "InventoryItem.create"
    assert event.changes is not None
    assert event.changes["serial_number"] == {"before": None, "after": "SN-1"}


async def test_create_reports_every_reference_problem_at_once(db: AsyncSession) -> None:
    s = await _setup(db)
    data = {**s["data"], "contract_id": s["other_contract"], "site_id": uuid.uuid4(),
            "product_type_id": uuid.uuid4(), "serial_number": ""}  # fmt: skip
    with pytest.raises(DomainError) as shape:
        await service.create(db, s["actor"], data, "items", "3")
    assert _codes(shape) == [(("items", "3", "serialNumber"), "REQUIRED")]
    with pytest.raises(DomainError) as refs:
        await service.create(db, s["actor"], {**data, "serial_number": "X"})
    assert _codes(refs) == [
        (("contractId",), "WRONG_CUSTOMER"),
        (("siteId",), "NOT_FOUND"),
        (("productTypeId",), "NOT_FOUND"),
    ]


async def test_composite_keys_hold_when_the_check_in_code_is_bypassed(
    db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = await _setup(db)

    async def no_check(*_: object) -> None:
        return None

    monkeypatch.setattr(service, "check_references", no_check)
    with pytest.raises(DomainError) as error:
        await service.create(db, s["actor"], {**s["data"], "site_id": s["other_site"]})
    assert _codes(error) == [(("siteId",), "WRONG_CUSTOMER")]


async def test_serial_is_unique_per_product_type(db: AsyncSession) -> None:
    s = await _setup(db)
    await service.create(db, s["actor"], s["data"])
    other_type = await make_product_type(db, s["tenant"])
    await service.create(db, s["actor"], {**s["data"], "product_type_id": other_type})
    with pytest.raises(DomainError) as error:
        await service.create(db, s["actor"], s["data"], "input")
    assert _codes(error) == [(("input", "serialNumber"), "TAKEN")]


async def test_update_rules(db: AsyncSession) -> None:
    s = await _setup(db)
    item = await service.create(db, s["actor"], s["data"])
    with pytest.raises(DomainError) as fixed:
        await service.update(db, s["actor"], item.id, {"customer_id": uuid.uuid4()})
    assert _codes(fixed) == [(("customerId",), "INVALID")]
    with pytest.raises(DomainError) as wrong:
        await service.update(db, s["actor"], item.id, {"contract_id": s["other_contract"]})
    assert _codes(wrong) == [(("contractId",), "WRONG_CUSTOMER")]
    with pytest.raises(DomainError) as replaced:
        await service.update(db, s["actor"], item.id, {"status": "REPLACED"})
    assert _codes(replaced) == [(("status",), "INVALID")]
    updated = await service.update(db, s["actor"], item.id, {"status": "RETURNED"}, 1)
    assert (updated.status, updated.version) == ("RETURNED", 2)


async def test_transfer_and_replace(db: AsyncSession) -> None:
    s = await _setup(db)
    tenant, actor, data = s["tenant"], s["actor"], s["data"]
    item_id = await make_item(db, tenant, data["customer_id"], contract_id=data["contract_id"],
                              site_id=data["site_id"], description="Router")  # fmt: skip
    new_site = await make_site(db, tenant, data["customer_id"])
    with pytest.raises(DomainError) as wrong:
        await actions.transfer(db, actor, item_id, s["other_site"])
    assert _codes(wrong) == [(("siteId",), "WRONG_CUSTOMER")]
    moved = await actions.transfer(db, actor, item_id, new_site)
    assert moved.site_id == new_site

    new = await actions.replace(db, actor, item_id, {"serial_number": "SN-NEW"})
    old = await db.get(InventoryItem, item_id)
    assert old is not None and (old.status, old.replaced_by_id) == ("REPLACED", new.id)
    assert (new.site_id, new.contract_id, new.description) == (new_site, old.contract_id, "Router")
    assert new.product_type_id == old.product_type_id
    for again in (actions.replace(db, actor, item_id, {"serial_number": "SN-3"}),
                  actions.transfer(db, actor, item_id, data["site_id"])):  # fmt: skip
        with pytest.raises(DomainError) as state:
            await again
        assert _codes(state) == [(("id",), "INVALID_STATE")]
    with pytest.raises(DomainError) as stays:
        await service.update(db, actor, item_id, {"status": "ACTIVE"})
    assert _codes(stays) == [(("status",), "INVALID_STATE")]
    # One transaction here, so one occurred_at for all: compare without order.
    seen = await db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == item_id))
    assert sorted(seen.all()) == ["InventoryItem.replace", "InventoryItem.transfer"]
