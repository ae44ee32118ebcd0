"""What a merge will do, decided before anything is written: the request checked (every
problem at once, each naming its argument), the customers locked, the sites combined."""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer, CustomerKind, CustomerStatus
from clientbase.models.site import Site
from clientbase.services.errors import DomainError, ErrorCode, Problem
from clientbase.services.normalise import name_key

MAX_MERGED = 10


class OverrideField(enum.StrEnum):
    """Identity fields a survivor may take from one of the merged customers."""

    LEGAL_NAME = "LEGAL_NAME"
    TRADE_NAME = "TRADE_NAME"
    TAX_ID = "TAX_ID"
    BIRTH_DATE = "BIRTH_DATE"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    WEBSITE = "WEBSITE"
    ADDRESS = "ADDRESS"
    CATEGORY = "CATEGORY"
    COMPANY_TYPE = "COMPANY_TYPE"


# The stored columns each override copies: values with their match keys, already normalised
# on the merged customer, so nothing is parsed again.
ADDRESS = (
    "address_line1",
    "address_line2",
    "address_number",
    "address_city",
    "address_region",
    "address_postal_code",
    "address_country",
)
COLUMNS: dict[OverrideField, tuple[str, ...]] = {
    OverrideField.LEGAL_NAME: ("legal_name", "name_key"),
    OverrideField.TRADE_NAME: ("trade_name", "trade_name_key"),
    OverrideField.TAX_ID: ("tax_id", "tax_id_country", "tax_id_key"),
    OverrideField.BIRTH_DATE: ("birth_date",),
    OverrideField.EMAIL: ("email",),
    OverrideField.PHONE: ("phone", "phone_digits"),
    OverrideField.WEBSITE: ("website",),
    OverrideField.ADDRESS: ADDRESS,
    OverrideField.CATEGORY: ("category_id",),
    OverrideField.COMPANY_TYPE: ("company_type_id",),
}


@dataclass(frozen=True)
class Override:
    field: OverrideField
    # None: the id named no customer (unreadable, or another tenant's).
    from_id: uuid.UUID | None


@dataclass(frozen=True)
class MergeRequest:
    """None in place of an id stands for an id that names no customer."""

    survivor_id: uuid.UUID | None
    merged_ids: Sequence[uuid.UUID | None]
    overrides: Sequence[Override] = ()
    expected_version: int | None = None
    merged_expected_versions: Sequence[int] | None = None


@dataclass
class MergePlan:
    survivor: Customer
    merged: list[Customer]
    # Survivor column -> the merged customer it is copied from.
    copies: dict[str, uuid.UUID] = field(default_factory=dict)
    # Sites of merged customers folded into a site of the same name: source -> target.
    combined_sites: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    @property
    def merged_ids(self) -> list[uuid.UUID]:
        return [m.id for m in self.merged]


# PostgreSQL's lock_not_available and query_canceled: the lock and statement timeouts the
# API sets per request ran out.
LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"


@asynccontextmanager
async def within_limits() -> AsyncIterator[None]:
    """The request's timeouts as userErrors rather than masked failures: rows held by another
    write (a large merge holds its rows for seconds), or a merge too large for one request."""
    try:
        yield
    except DBAPIError as error:
        state = getattr(error.orig, "sqlstate", None)
        if state == LOCK_NOT_AVAILABLE:
            message, code = "Another write holds these rows; try again.", ErrorCode.INVALID_STATE
        elif state == QUERY_CANCELED:
            message = "Too large to merge within one request's time limit."
            code = ErrorCode.LIMIT_EXCEEDED
        else:
            raise
        raise DomainError([Problem((), code, message)]) from error


def _problem(path: Sequence[str], code: ErrorCode, message: str) -> Problem:
    return Problem(tuple(path), code, message)


def _shape(request: MergeRequest) -> list[Problem]:
    problems = []
    ids = request.merged_ids
    if not ids:
        problems.append(_problem(["mergedIds"], ErrorCode.REQUIRED, "Name at least one customer."))
    if len(ids) > MAX_MERGED:
        problems.append(
            _problem(
                ["mergedIds"],
                ErrorCode.LIMIT_EXCEEDED,
                f"At most {MAX_MERGED} customers per merge, got {len(ids)}.",
            )
        )
    seen: set[uuid.UUID] = set()
    for index, merged_id in enumerate(ids):
        path = ["mergedIds", str(index)]
        if merged_id is not None and merged_id == request.survivor_id:
            problems.append(
                _problem(path, ErrorCode.INVALID, "The survivor cannot be merged into itself.")
            )
        elif merged_id is not None and merged_id in seen:
            problems.append(_problem(path, ErrorCode.INVALID, "This customer is listed twice."))
        if merged_id is not None:
            seen.add(merged_id)
    versions = request.merged_expected_versions
    if versions is not None and len(versions) != len(ids):
        problems.append(
            _problem(
                ["mergedExpectedVersions"],
                ErrorCode.INVALID,
                "Give one version per merged customer, in the same order.",
            )
        )
    fields_seen: set[OverrideField] = set()
    for index, override in enumerate(request.overrides):
        path = ["fieldOverrides", str(index)]
        if override.field in fields_seen:
            problems.append(
                _problem([*path, "field"], ErrorCode.INVALID, "This field is overridden twice.")
            )
        fields_seen.add(override.field)
        if override.from_id is None or override.from_id not in seen:
            problems.append(
                _problem(
                    [*path, "fromId"],
                    ErrorCode.INVALID,
                    "Take fields only from one of the merged customers.",
                )
            )
    return problems


def _state(
    customer: Customer | None, path: list[str], expected: int | None, version_path: list[str]
) -> list[Problem]:
    if customer is None:
        return [_problem(path, ErrorCode.NOT_FOUND, "No Customer with this id.")]
    problems = []
    if customer.status == CustomerStatus.MERGED.value:
        problems.append(
            _problem(path, ErrorCode.INVALID_STATE, f"Customer {customer.code} was merged already.")
        )
    if expected is not None and customer.version != expected:
        problems.append(
            _problem(
                version_path,
                ErrorCode.VERSION_CONFLICT,
                f"Customer {customer.code} is at version {customer.version}, not {expected}.",
            )
        )
    return problems


async def plan(session: AsyncSession, request: MergeRequest) -> MergePlan:
    """Lock the customers (in id order, so two merges never deadlock) and check everything;
    raises every problem at once."""
    problems = _shape(request)
    wanted = {i for i in (request.survivor_id, *request.merged_ids) if i is not None}
    stmt = (
        select(Customer)
        .where(Customer.id.in_(wanted))
        .order_by(Customer.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = {row.id: row for row in (await session.scalars(stmt)).all()} if wanted else {}

    def found(row_id: uuid.UUID | None) -> Customer | None:
        return rows.get(row_id) if row_id is not None else None

    survivor = found(request.survivor_id)
    problems += _state(survivor, ["survivorId"], request.expected_version, ["expectedVersion"])
    versions = request.merged_expected_versions
    merged = []
    for index, merged_id in enumerate(request.merged_ids):
        row = found(merged_id)
        expected = (
            versions[index] if versions and len(versions) == len(request.merged_ids) else None
        )
        if merged_id == request.survivor_id and merged_id is not None:
            continue  # reported by _shape
        problems += _state(
            row, ["mergedIds", str(index)], expected, ["mergedExpectedVersions", str(index)]
        )
        if row is not None and row not in merged:
            merged.append(row)
    if survivor is not None:
        for index, override in enumerate(request.overrides):
            if (
                override.field is OverrideField.BIRTH_DATE
                and survivor.kind != CustomerKind.PERSON.value
            ):
                problems.append(
                    _problem(
                        ["fieldOverrides", str(index), "field"],
                        ErrorCode.INVALID,
                        "Only a PERSON has a birth date.",
                    )
                )
    if problems:
        raise DomainError(problems)
    assert survivor is not None
    result = MergePlan(survivor=survivor, merged=merged)
    for override in request.overrides:
        assert override.from_id is not None
        for column in COLUMNS[override.field]:
            result.copies[column] = override.from_id
    result.combined_sites = await _combined_sites(session, survivor.id, result.merged_ids)
    return result


async def _combined_sites(
    session: AsyncSession, survivor_id: uuid.UUID, merged_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Sites of the same name (same match key: case, accents and punctuation aside) become
    one: the survivor's, or the first merged customer's in the order given."""
    rows = (
        await session.execute(
            select(Site.id, Site.customer_id, Site.name)
            .where(Site.customer_id.in_([survivor_id, *merged_ids]))
            .order_by(Site.name, Site.id)
        )
    ).all()
    order = {customer_id: rank for rank, customer_id in enumerate([survivor_id, *merged_ids])}
    by_name: dict[str, uuid.UUID] = {}
    by_key: dict[str, uuid.UUID] = {}
    combined: dict[uuid.UUID, uuid.UUID] = {}
    for row in sorted(rows, key=lambda r: order[r.customer_id]):
        key = name_key(row.name) or row.name
        target = by_name.get(row.name) or by_key.get(key)
        if row.customer_id != survivor_id and target is not None:
            combined[row.id] = target
            continue
        by_name.setdefault(row.name, row.id)
        by_key.setdefault(key, row.id)
    return combined
