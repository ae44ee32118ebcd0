"""Sites and contracts of a customer: a site by its name within the customer, a contract
by its number; both name their customer by code or external reference."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contract import Contract, ContractStatus
from clientbase.models.site import Site
from clientbase.services.contract import service as contracts
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import (
    EntityImport,
    ImportMode,
    fetch_by,
    fetch_by_pairs,
)
from clientbase.services.imports.entities.links import (
    CUSTOMER_FIELDS,
    customer_key,
    link_customers,
    require_customer,
    wrong_customer,
)
from clientbase.services.imports.rows import Row
from clientbase.services.site import service as sites


class SiteImport(EntityImport):
    entity = ImportEntity.SITES
    model = Site
    audit_entity = sites.ENTITY
    relation_fields: ClassVar[frozenset[str]] = frozenset(CUSTOMER_FIELDS)
    key_fields = (CUSTOMER_FIELDS, ("name",))

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        return sites.normalise(data)

    def claims(self, row: Row) -> Iterable[Hashable]:
        return [("site", customer_key(row), row.data.get("name"))]

    async def resolve(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        await link_customers(self, session, rows)
        keys = [(r.data.get("customer_id"), r.data.get("name")) for r in rows]
        existing = await fetch_by_pairs(session, self.table, ("customer_id", "name"), keys,
                                        lock=True)  # fmt: skip
        for row, key in zip(rows, keys, strict=True):
            row.existing = existing.get(key)

    def check(self, row: Row) -> None:
        data, existing = row.data, row.existing
        if existing is None:
            ok = require_customer(self, row)
            if self.check_with(row, lambda: sites.check(data, creating=True)) and ok:
                row.record = self.new_record(data)
        elif self.mode is ImportMode.INSERT:
            self.taken(row, "name", "uq_site_customer_id_name")
        elif self.check_with(row, lambda: sites.check(data, creating=False)):
            row.record = self.updated_record(existing, data)


class ContractImport(EntityImport):
    entity = ImportEntity.CONTRACTS
    model = Contract
    audit_entity = contracts.ENTITY
    relation_fields: ClassVar[frozenset[str]] = frozenset(CUSTOMER_FIELDS)
    key_fields = (("number",),)
    create_fields = (CUSTOMER_FIELDS,)

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        return contracts.normalise(data)

    def claims(self, row: Row) -> Iterable[Hashable]:
        return [("number", row.data.get("number"))]

    async def resolve(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        await link_customers(self, session, rows)
        existing = await fetch_by(session, self.table, "number",
                                  (r.data.get("number") for r in rows), lock=True)  # fmt: skip
        for row in rows:
            row.existing = existing.get(row.data.get("number"))

    def check(self, row: Row) -> None:
        existing = row.existing
        if existing is None:
            data = dict(row.data)
            if data.get("status") is None:
                data["status"] = ContractStatus.ACTIVE.value
            ok = require_customer(self, row)
            if self.check_with(row, lambda: contracts.check(data, creating=True)) and ok:
                row.record = self.new_record(data)
            return
        if self.mode is ImportMode.INSERT:
            self.taken(row, "number", "uq_contract_tenant_id_number")
            return
        if wrong_customer(self, row, "contract"):
            return
        changes = {k: v for k, v in row.data.items()
                   if k != "customer_id" and not (k == "status" and v is None)}  # fmt: skip
        # As the service's update: the period is checked as it will be, one end kept.
        period = {"starts_on": changes.get("starts_on", existing["starts_on"]),
                  "ends_on": changes.get("ends_on", existing["ends_on"])}  # fmt: skip
        if self.check_with(row, lambda: contracts.check({**changes, **period}, creating=False)):
            row.record = self.updated_record(existing, changes)
