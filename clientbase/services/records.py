"""What every record type shares: load by ids in key order, create, update with version
checks, and delete, each audited. Repository-level SQL used by all domain services."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.base import Base
from clientbase.services.audit import service as audit
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import DomainError, ErrorCode, from_integrity_error, problem

M = TypeVar("M", bound=Base)

# Columns the audit trail never shows: bookkeeping, not content. The match keys are derived
# from audited columns and change with them.
UNAUDITED = frozenset({"tenant_id", "created_at", "updated_at", "version", "name_key",
                       "trade_name_key", "tax_id_key", "phone_digits"})  # fmt: skip


def audited_fields(model: type[Base]) -> list[str]:
    return [c.key for c in model.__table__.columns if c.key not in UNAUDITED]


async def get_many(
    session: AsyncSession, model: type[M], ids: Sequence[uuid.UUID]
) -> list[M | None]:
    """Rows for `ids` in the same order, None where there is none (or another tenant's)."""
    if not ids:
        return []
    rows = (await session.scalars(select(model).where(model.id.in_(ids)))).all()  # type: ignore[attr-defined]
    by_id = {row.id: row for row in rows}  # type: ignore[attr-defined]
    return [by_id.get(row_id) for row_id in ids]


async def get(session: AsyncSession, model: type[M], row_id: uuid.UUID, entity: str,
              field: str = "id") -> M:  # fmt: skip
    row = await session.get(model, row_id)
    if row is None:
        raise problem(field, ErrorCode.NOT_FOUND, f"No {entity} with this id.")
    return row


async def flush(session: AsyncSession, *path: str) -> None:
    """Flush now, so a broken rule is reported against the input that broke it."""
    try:
        await session.flush()
    except IntegrityError as error:
        mapped = from_integrity_error(error)
        if mapped is None:
            raise
        raise mapped.under(*path) from error


async def create(session: AsyncSession, actor: Principal, row: M, entity: str,
                 *path: str) -> M:  # fmt: skip
    session.add(row)
    await flush(session, *path)
    fields = audited_fields(type(row))
    audit.record(session, actor, f"{entity}.create", entity, row.id,  # type: ignore[attr-defined]
                 audit.diff({}, audit.snapshot(row, fields)))  # fmt: skip
    return row


async def load_for_update(
    session: AsyncSession,
    model: type[M],
    row_id: uuid.UUID,
    entity: str,
    expected_version: int | None,
) -> M:
    # FOR UPDATE: the version read here is the one the UPDATE will check, so two
    # concurrent updates queue instead of one silently overwriting the other.
    stmt: Any = select(model).where(model.id == row_id).with_for_update()  # type: ignore[attr-defined]
    row: Any = await session.scalar(stmt)
    if row is None:
        raise problem("id", ErrorCode.NOT_FOUND, f"No {entity} with this id.")
    if expected_version is not None and row.version != expected_version:
        raise problem(
            "expectedVersion",
            ErrorCode.VERSION_CONFLICT,
            f"The {entity} is at version {row.version}, not {expected_version}.",
        )
    return row  # type: ignore[no-any-return]


async def update(
    session: AsyncSession,
    actor: Principal,
    row: M,
    changes: Mapping[str, Any],
    entity: str,
    action: str = "update",
) -> dict[str, Any]:
    """Apply `changes`; write and audit only what really changed. Returns that diff."""
    fields = audited_fields(type(row))
    before = audit.snapshot(row, fields)
    for name, value in changes.items():
        setattr(row, name, value)
    changed = audit.diff(before, audit.snapshot(row, fields))
    if not changed:
        # Nothing new: SQLAlchemy emits no UPDATE for equal values, so no version bump and
        # no audit event; a retried request is a no-op.
        return {}
    await flush(session)
    audit.record(session, actor, f"{entity}.{action}", entity, row.id, changed)  # type: ignore[attr-defined]
    return changed


async def delete(session: AsyncSession, actor: Principal, row: M, entity: str) -> None:
    fields = audited_fields(type(row))
    snapshot = audit.snapshot(row, fields)
    row_id = row.id  # type: ignore[attr-defined]
    await session.delete(row)
    try:
        await session.flush()
    except IntegrityError as error:
        mapped = from_integrity_error(error, deleting=True)
        if mapped is None:
            raise
        raise mapped from error
    removed = {name: {"before": value, "after": None} for name, value in snapshot.items()}
    audit.record(session, actor, f"{entity}.delete", entity, row_id, removed)


def collect(*errors: DomainError | None) -> None:
    """Raise all problems at once, so a caller fixes an input in one round trip."""
    problems = [p for e in errors if e is not None for p in e.problems]
    if problems:
        raise DomainError(problems)
