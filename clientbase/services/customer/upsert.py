"""Batch upsert for partners: each item matched by externalRef (else code), created or updated.

Every item runs in its own savepoint, so with SKIP_FAILED the good items commit and
the bad ones leave no trace; with REJECT_ALL the caller rolls back the whole batch.
Sending the same batch twice changes nothing the second time. The tenant's duplicate rule
applies to each item created, or updated in an identity field, as on customerCreate.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services import records
from clientbase.services.auth.principal import Principal
from clientbase.services.customer import service
from clientbase.services.dedupe import service as dedupe
from clientbase.services.dedupe.service import DuplicateCheck
from clientbase.services.errors import DomainError, ErrorCode, from_integrity_error, problem

MAX_ITEMS = 100


class UpsertAction(enum.StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"


@dataclass
class UpsertResult:
    index: int
    customer: Customer | None = None
    action: UpsertAction | None = None
    error: DomainError | None = None


async def _upsert_one(
    session: AsyncSession, actor: Principal, item: Mapping[str, Any], check: DuplicateCheck
) -> tuple[Customer, UpsertAction]:
    existing = await service.find_for_upsert(session, item.get("external_ref"), item.get("code"))
    if existing is None:
        return await service.create(session, actor, item, None, check), UpsertAction.CREATED
    customer = await records.load_for_update(session, Customer, existing.id, "Customer", None)
    if customer.status == CustomerStatus.MERGED.value:
        raise problem("id", ErrorCode.INVALID_STATE,
                      "This customer was merged; write to the survivor.")  # fmt: skip
    changes = await service.prepare(session, actor, service.normalise(item), customer)
    changed = await records.update(session, actor, customer, changes, "Customer", "upsert")
    if changed and dedupe.IDENTITY & changes.keys():
        await records.flush(session)
        await dedupe.check_write(session, actor.tenant_id, customer, check)
    return customer, UpsertAction.UPDATED if changed else UpsertAction.UNCHANGED


async def upsert_many(
    session: AsyncSession,
    actor: Principal,
    items: Sequence[Mapping[str, Any]],
    checks: Sequence[DuplicateCheck] | None = None,
) -> list[UpsertResult]:
    """Each item in its own savepoint; `checks` (one per item: its confirmation, and where
    its warnings go) apply the tenant's duplicate rule as customerCreate does."""
    if len(items) > MAX_ITEMS:
        raise problem("inputs", ErrorCode.LIMIT_EXCEEDED,
                      f"At most {MAX_ITEMS} items per call, got {len(items)}.")  # fmt: skip
    results = []
    for index, item in enumerate(items):
        result = UpsertResult(index=index)
        check = checks[index] if checks is not None else DuplicateCheck()
        try:
            async with session.begin_nested():
                result.customer, result.action = await _upsert_one(session, actor, item, check)
        except DomainError as error:
            result.error = error
        except IntegrityError as error:
            mapped = from_integrity_error(error)
            if mapped is None:
                raise
            result.error = mapped
        results.append(result)
    return results
