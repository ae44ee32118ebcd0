"""Customers: found by external reference, else by code; category and company type by name."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from types import SimpleNamespace
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.company_type import CompanyType
from clientbase.models.customer import Customer, CustomerKind, CustomerStatus
from clientbase.models.customer_category import CustomerCategory
from clientbase.services import canonical, records
from clientbase.services.customer import service as customers
from clientbase.services.errors import DomainError, ErrorCode
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import (
    EntityImport,
    ImportMode,
    fetch_by,
    table_of,
)
from clientbase.services.imports.rows import Row, add_issue
from clientbase.services.normalise import NormalisationError

# Columns that cannot be NULL but have a default: an empty cell keeps the current value
# on an update and takes the default on a creation, as an omitted input field would.
DEFAULTED = ("kind", "status")
# Rows per task sent to a normaliser process: enough to make pickling worth a round trip.
POOL_BATCH = 500
# Relation field -> (model, id column, what the error calls it).
REFERENCES = {
    "category": (CustomerCategory, "category_id", "customer category named"),
    "company_type": (CompanyType, "company_type_id", "company type named"),
}


class CustomerImport(EntityImport):
    entity = ImportEntity.CUSTOMERS
    model = Customer
    audit_entity = customers.ENTITY
    relation_fields: ClassVar[frozenset[str]] = frozenset(REFERENCES)
    key_fields = (("code", "external_ref"),)
    create_fields = (("code",), ("legal_name",))

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        return customers.normalise(data)

    def warm_all(self, rows: Sequence[Row], pool: Executor | None) -> None:
        """Prepare the rows as creations (most rows of a large import are): the costly
        normalisers then run while the previous chunk is written, not after the lookups."""
        creations = [_creation(row.data) for row in rows]
        countries = itertools.repeat(self.country)
        prepared: Iterator[dict[str, Any] | None]
        if pool is None:
            prepared = map(prepare_creation, creations, countries)
        else:
            prepared = pool.map(prepare_creation, creations, countries, chunksize=POOL_BATCH)
        for row, values in zip(rows, prepared, strict=True):
            if values is not None:
                row.prepared = (dict(row.data), values)

    def claims(self, row: Row) -> Iterable[Hashable]:
        ref, code = row.data.get("external_ref"), row.data.get("code")
        return [("ref", ref) if ref else None, ("code", code) if code else None]

    def written_columns(self) -> set[str]:
        return super().written_columns() | {
            column for name, (_, column, _) in REFERENCES.items() if name in self.mapping.fields
        }

    async def resolve(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        table = self.table
        by_ref = await fetch_by(session, table, "external_ref",
                                (r.data.get("external_ref") for r in rows), lock=True)  # fmt: skip
        codes = [r.data.get("code") for r in rows if not r.data.get("external_ref")]
        by_code = await fetch_by(session, table, "code", codes, lock=True)
        # Codes of rows found by reference may belong to some other customer.
        code_holders = await fetch_by(session, table, "code", (r.data.get("code") for r in rows))
        names = {}
        for name, (model, _, _) in REFERENCES.items():
            if name in self.mapping.fields:
                wanted = (r.values.get(name) for r in rows)
                names[name] = await fetch_by(session, table_of(model), "name", wanted)
        for row in rows:
            ref, code = row.data.get("external_ref"), row.data.get("code")
            row.existing = by_ref.get(ref) if ref else by_code.get(code)
            holder = code_holders.get(code)
            if holder is not None and (row.existing is None or holder["id"] != row.existing["id"]):
                self.taken(row, "code", "uq_customer_tenant_id_code")
            for name, (_, column, what) in REFERENCES.items():
                if name not in names:
                    continue
                value = row.values.get(name)
                found = names[name].get(value)
                if value is not None and found is None:
                    self.not_found(row, name, what, value)
                row.data[column] = found["id"] if found else None

    async def before_apply(self, session: AsyncSession, rows: Sequence[Row], log: Any) -> list[Row]:
        if self.duplicates is None:
            return list(rows)
        return await self.duplicates.screen(session, rows)

    async def after_apply(
        self, session: AsyncSession, rows: Sequence[Row], created: dict[int, bool], log: Any
    ) -> None:
        if self.duplicates is not None:
            await self.duplicates.flag(session, rows, created, self.tenant_id, log.job_id)

    def check(self, row: Row) -> None:
        if row.existing is None:
            self._check_create(row)
        else:
            self._check_update(row, row.existing)

    def _prepared_ahead(self, row: Row) -> dict[str, Any] | None:
        if row.prepared is None:
            return None
        source, values = row.prepared
        # The lookups add the relations' ids, which the preparation passes through as is.
        ids = {column: row.data[column] for _, column, _ in REFERENCES.values()
               if column in row.data}  # fmt: skip
        if {k: v for k, v in row.data.items() if k not in ids} != source:
            return None
        return {**values, **ids}

    def _check_create(self, row: Row) -> None:
        ahead = self._prepared_ahead(row)
        if ahead is not None:
            row.record = self.new_record(ahead)
            return
        data = _creation(row.data)
        values: dict[str, Any] = {}

        def rule() -> None:
            values.update(prepare(data, None, self.country))

        if self.check_with(row, rule):
            row.record = self.new_record(values)

    def _check_update(self, row: Row, existing: dict[str, Any]) -> None:
        if self.mode is ImportMode.INSERT:
            if row.data.get("external_ref"):
                self.taken(row, "external_ref", "uq_customer_tenant_id_external_ref")
            else:
                self.taken(row, "code", "uq_customer_tenant_id_code")
            return
        if existing["status"] == CustomerStatus.MERGED.value:
            add_issue(row, self.mapping, "code", ErrorCode.INVALID_STATE.value,
                      "A merged customer cannot be changed.")  # fmt: skip
            return
        changes = {k: v for k, v in row.data.items() if not (k in DEFAULTED and v is None)}
        values: dict[str, Any] = {}

        def rule() -> None:
            values.update(prepare(changes, existing, self.country))

        if self.check_with(row, rule):
            row.record = self.updated_record(existing, values)


def _creation(data: dict[str, Any]) -> dict[str, Any]:
    """A row's data as a creation: the kind defaults to COMPANY."""
    created = dict(data)
    if created.get("kind") is None:
        created["kind"] = CustomerKind.COMPANY.value
    return created


def prepare(data: dict[str, Any], current: dict[str, Any] | None,
            country: str | None) -> dict[str, Any]:  # fmt: skip
    """customer.service.prepare without its per-call country lookup (the pipeline reads
    the tenant's country once): the same check, the same canonical forms and keys."""
    shape = None
    try:
        customers.check(data if current is None else {"kind": current["kind"], **data},
                        creating=current is None)  # fmt: skip
    except DomainError as error:
        shape = error
    phone_country = country if data.get("phone") else None
    present = SimpleNamespace(**current) if current is not None else None
    values, problems = canonical.customer(data, phone_country, present)
    records.collect(canonical.merge(shape, problems))
    return values


def prepare_creation(data: dict[str, Any], country: str | None) -> dict[str, Any] | None:
    """prepare() of a creation, or None if the row is refused (check() will say why).
    Module level and pure, so that a process pool can run it."""
    try:
        return prepare(data, None, country)
    except (DomainError, NormalisationError):
        return None
