"""What every entity's import shares: shaping cells into service data, batched lookups,
records to stage, and the derived search keys the services keep beside the typed values."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Executor
from typing import Any, ClassVar, cast

from sqlalchemy import ARRAY, Table, any_, bindparam, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.base import Base
from clientbase.services.errors import CONSTRAINT_PROBLEMS, DomainError, ErrorCode
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.mapping import ColumnMapping
from clientbase.services.imports.rows import (
    Row,
    add_domain_error,
    add_issue,
    add_normalisation_error,
)
from clientbase.services.imports.stage import BOOKKEEPING, Target
from clientbase.services.normalise import NormalisationError


class ImportMode(enum.StrEnum):
    INSERT = "INSERT"
    UPSERT = "UPSERT"


# Match keys the services derive from other columns (services/canonical.py): never a
# reason for an update on their own, rewritten whenever their source is. Column -> source.
DERIVED: dict[str, dict[str, str]] = {
    "customer": {"name_key": "legal_name", "trade_name_key": "trade_name",
                 "tax_id_key": "tax_id", "phone_digits": "phone"},
    "contact": {"name_key": "full_name", "phone_digits": "phone"},
}  # fmt: skip


def table_of(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def python_defaults(table: Table) -> dict[str, Any]:
    """The ORM's defaults (status ACTIVE, is_primary false, {} for JSONB) for new records."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if default is None or column.name in BOOKKEEPING or column.name in ("id", "tenant_id"):
            continue
        arg = getattr(default, "arg", None)
        # SQLAlchemy wraps a callable default (dict for JSONB) to take an execution
        # context, which a zero-argument function ignores.
        defaults[column.name] = arg(None) if callable(arg) else arg
    return defaults


class EntityImport:
    """One entity's rules for an import; subclasses say how rows find their records."""

    entity: ClassVar[ImportEntity]
    model: ClassVar[type[Base]]
    audit_entity: ClassVar[str]
    # Fields that name relations rather than columns; resolved by lookups.
    relation_fields: ClassVar[frozenset[str]] = frozenset()
    # Groups of fields of which the file must map at least one, in any mode / to create.
    key_fields: ClassVar[tuple[tuple[str, ...], ...]] = ()
    create_fields: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def __init__(self, mapping: ColumnMapping, mode: ImportMode, tenant_id: uuid.UUID) -> None:
        self.mapping = mapping
        self.mode = mode
        self.tenant_id = tenant_id
        self.table = table_of(self.model)
        self._defaults = python_defaults(self.table)
        self._derived = DERIVED.get(self.table.name, {})
        # Worked out once, used per row: a new record's columns, and text columns' limits.
        self._blank: dict[str, Any] = {
            c.name: None for c in self.table.columns if c.name not in BOOKKEEPING
        }
        self._blank.update(self._defaults)
        self._lengths: dict[str, int] = {
            c.name: getattr(c.type, "length", 0) for c in self.table.columns
            if getattr(c.type, "length", None)
        }  # fmt: skip
        # The tenant's default country for phone numbers; set by the pipeline.
        self.country: str | None = None

    def missing_columns(self) -> list[str]:
        """Field groups the file must have and has not (a file-level error)."""
        groups = self.key_fields + (self.create_fields if self.mode is ImportMode.INSERT else ())
        mapped = self.mapping.fields
        return [" or ".join(g) for g in groups if not mapped.intersection(g)]

    # -- per row, no database: run in a worker thread ---------------------------------

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """The service's own normalisation of a row's columns."""
        return data

    def shape(self, row: Row) -> None:
        columns = {k: v for k, v in row.values.items() if k not in self.relation_fields}
        try:
            row.data = self.normalise(columns)
        except DomainError as error:
            add_domain_error(row, self.mapping, error)
        except NormalisationError as error:
            add_normalisation_error(row, self.mapping, error)

    def warm(self, row: Row) -> None:
        """Run the costly normalisers (phones, e-mails, tax ids, name keys) on the row's
        values while the previous chunk is written; check() then finds their results in
        the normalisers' caches. Pure work, no verdict: check() still decides."""

    def warm_all(self, rows: Sequence[Row], pool: Executor | None) -> None:
        """warm() every row; entities whose warming is worth it use the pool if given."""
        for row in rows:
            self.warm(row)

    def claims(self, row: Row) -> Iterable[Hashable]:
        """Keys two rows of one wave must not share; the first one finds the record."""
        return ()

    def check(self, row: Row) -> None:
        """The service's rules for a creation or an update, then the record to write."""
        raise NotImplementedError

    # -- per wave, with the database -------------------------------------------------------

    async def resolve(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        """Find each row's existing record (locked) and its relations' ids."""
        raise NotImplementedError

    async def before_apply(self, session: AsyncSession, rows: Sequence[Row], log: Any) -> None:
        """Writes a wave needs before its own (e.g. demoting the old primary contact)."""

    def target(self) -> Target:
        written = self.written_columns()
        names = tuple(c.name for c in self.table.columns if c.name in written)
        derived = tuple(c for c, source in self._derived.items() if source in written)
        return Target(self.table, names, names + derived)

    def written_columns(self) -> set[str]:
        """Columns an update may change: the mapped fields that are columns."""
        return {name for name in self.mapping.fields if name in self.table.c}

    def check_lengths(self, row: Row) -> None:
        """The columns' own limits, for fields whose service does not check them (the
        customer's address, for one): a value too long is a row error, not a failed chunk."""
        record = row.record
        if record is None:
            return
        for name in row.data:
            limit = self._lengths.get(name)
            value = record.get(name)
            if limit and isinstance(value, str) and len(value) > limit:
                field = next((f for i, f in self.mapping.columns if f.name == name), None)
                label = field.problem_name if field else name
                add_issue(row, self.mapping, name, ErrorCode.INVALID.value,
                          f"`{label}` is longer than {limit} characters.")  # fmt: skip
        if not row.ok:
            row.record = None

    # -- helpers ---------------------------------------------------------------------------

    def new_record(self, data: dict[str, Any]) -> dict[str, Any]:
        record = dict(self._blank)
        # An empty cell leaves the default (status ACTIVE, is_primary false) in place.
        record.update({k: v for k, v in data.items() if v is not None})
        record.update(id=uuid.uuid4(), tenant_id=self.tenant_id)
        return record

    def updated_record(self, existing: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        record = {k: v for k, v in existing.items() if k not in BOOKKEEPING}
        record.update({k: v for k, v in changes.items() if k in record})
        return record

    def taken(self, row: Row, field_name: str, constraint: str) -> None:
        """A unique key held by another record: the constraint's own words."""
        _, code, message = CONSTRAINT_PROBLEMS[constraint]
        add_issue(row, self.mapping, field_name, code.value, message)

    def not_found(self, row: Row, field_name: str, what: str, value: Any) -> None:
        add_issue(row, self.mapping, field_name, ErrorCode.NOT_FOUND.value,
                  f"No {what} {value!r}.")  # fmt: skip

    def check_with(self, row: Row, rule: Callable[[], None]) -> bool:
        try:
            rule()
        except DomainError as error:
            add_domain_error(row, self.mapping, error)
        except NormalisationError as error:
            add_normalisation_error(row, self.mapping, error)
        return row.ok


async def fetch_by(
    session: AsyncSession,
    table: Table,
    column: str,
    values: Iterable[Any],
    *,
    lock: bool = False,
    lower: bool = False,
) -> dict[Any, dict[str, Any]]:
    """Rows whose `column` is one of `values`, keyed by it; FOR UPDATE when `lock`."""
    wanted = sorted({v for v in values if v is not None})
    if not wanted:
        return {}
    key = func.lower(table.c[column]) if lower else table.c[column]
    # One array parameter, not an IN list of thousands: SQLAlchemy renders each IN value
    # as a parameter, which cost more than the query itself.
    values = bindparam("wanted", wanted, type_=ARRAY(table.c[column].type))
    stmt = select(table).where(key == any_(values))
    if lock:
        # Locked in key order, the same order for every import, so two never deadlock.
        stmt = stmt.order_by(key).with_for_update()
    rows = (await session.execute(stmt)).mappings().all()
    found = {}
    for row in rows:
        value = row[column]
        found[value.lower() if lower and value else value] = dict(row)
    return found


async def fetch_by_pairs(
    session: AsyncSession,
    table: Table,
    columns: tuple[str, str],
    pairs: Iterable[tuple[Any, Any]],
    *,
    lock: bool = False,
) -> dict[tuple[Any, Any], dict[str, Any]]:
    wanted = sorted({p for p in pairs if None not in p}, key=str)
    if not wanted:
        return {}
    first, second = table.c[columns[0]], table.c[columns[1]]
    stmt = select(table).where(tuple_(first, second).in_(wanted))
    if lock:
        stmt = stmt.order_by(first, second).with_for_update()
    rows = (await session.execute(stmt)).mappings().all()
    return {(row[columns[0]], row[columns[1]]): dict(row) for row in rows}
