"""The mutation is the transaction: commit when the service succeeds, roll back otherwise.

Every mutation resolver goes through `run_mutation`, which checks the caller's
role, runs one service call under the session lock, and turns domain errors,
constraint violations and stale versions into `userErrors`. Hooks registered on the
context during the work (e.g. sending a job) run only after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import strawberry
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from clientbase.schema.common import UserError, user_errors
from clientbase.schema.context import AfterCommit, Context
from clientbase.schema.ids import InvalidGlobalIdError, from_global_id
from clientbase.services import idempotency
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.errors import DomainError, ErrorCode, from_integrity_error, problem

log = structlog.get_logger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncSession, Principal], Awaitable[T]]


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    errors: list[UserError] = field(default_factory=list)


def decode_id(global_id: str, expected_type: str, field_name: str = "id") -> Any:
    """The row id inside a global id of `expected_type`, or a NOT_FOUND problem."""
    try:
        type_name, row_id = from_global_id(global_id)
    except InvalidGlobalIdError as exc:
        raise problem(field_name, ErrorCode.NOT_FOUND, f"No {expected_type} with this id.") from exc
    if type_name != expected_type:
        raise problem(field_name, ErrorCode.NOT_FOUND, f"No {expected_type} with this id.")
    return row_id


async def run_mutation(
    info: strawberry.Info[Context, Any],
    needs: Role,
    work: Work[T],
    *,
    prefix: tuple[str, ...] = ("input",),
    arguments: frozenset[str] = frozenset({"id", "expectedVersion"}),
    deleting: bool = False,
    commit_if: Callable[[T], bool] = lambda _: True,
) -> Outcome[T]:
    """Run `work` as one transaction. Problem paths are relative to the input object
    (`prefix`), except those naming a top-level argument of the mutation (`arguments`)."""

    def as_user_errors(error: DomainError) -> list[UserError]:
        problems = [p if p.field[:1] and p.field[0] in arguments else p.under(*prefix)
                    for p in error.problems]  # fmt: skip
        return user_errors(DomainError(problems))

    ctx = info.context
    if not ctx.principal.role.allows(needs):
        message = f"This needs the {needs.value} role; the caller is {ctx.principal.role.value}."
        return Outcome(errors=[UserError(field=None, code=ErrorCode.FORBIDDEN, message=message)])
    session = ctx.session
    async with ctx.session_lock:
        ctx.after_commit.clear()
        committed = False
        try:
            claim = ctx.idempotency
            if (
                claim is not None
                and not claim.claimed
                and not await idempotency.claim(
                    session, ctx.tenant_id, claim.key, claim.request_hash
                )
            ):
                raise problem("Idempotency-Key", ErrorCode.INVALID_STATE,
                              "A request with this Idempotency-Key was applied meanwhile; "
                              "send it again for its answer.")  # fmt: skip
            value = await work(session, ctx.principal)
            if commit_if(value):
                await session.commit()
                committed = True
                if claim is not None:
                    claim.claimed = True
            else:
                await session.rollback()
        except DomainError as error:
            await session.rollback()
            return Outcome(errors=as_user_errors(error))
        except IntegrityError as error:
            await session.rollback()
            mapped = from_integrity_error(error, deleting=deleting)
            if mapped is None:
                raise
            return Outcome(errors=as_user_errors(mapped))
        except StaleDataError:
            await session.rollback()
            conflict = problem(
                "expectedVersion", ErrorCode.VERSION_CONFLICT, "The record changed meanwhile."
            )
            return Outcome(errors=as_user_errors(conflict))
        finally:
            hooks = list(ctx.after_commit) if committed else []
            ctx.after_commit.clear()
    await _after_commit(hooks)
    ctx.loaders.clear()
    return Outcome(value=value)


async def _after_commit(hooks: list[AfterCommit]) -> None:
    for hook in hooks:
        try:
            await hook()
        except Exception:
            # Committed is committed: a failed send leaves the job QUEUED in the registry,
            # and the reconciler sends it later.
            log.exception("after-commit hook failed")
