"""Duplicate types: the probe customerDuplicates is asked with, matches with their reasons,
and the candidate pairs a scan writes, with their filter, payload and scan input."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

import strawberry

from clientbase import models
from clientbase.models.customer import CustomerKind as CustomerKindValue
from clientbase.schema.common import AddressInput, Node, UserError, address_columns
from clientbase.schema.contact import owning_customer
from clientbase.schema.customer import Customer, CustomerKind
from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info, by_ids
from clientbase.schema.node import register_node
from clientbase.services.dedupe import candidates
from clientbase.services.dedupe.scoring import Reason
from clientbase.services.dedupe.service import Found
from clientbase.services.errors import ErrorCode, problem

MAX_PROBE_CONTACTS = 20


@strawberry.enum(description="REVIEW: possibly the same customer; LIKELY: very probably.")
class DuplicateBand(Enum):
    REVIEW = "REVIEW"
    LIKELY = "LIKELY"


@strawberry.type(description="One identity field compared: how alike, by which method.")
class MatchReason:
    field: str = strawberry.field(
        description="legalName, tradeName, givenName, surname, taxId, birthDate, email, "
        "phone, contactEmail, contactPhone, address, address.postalCode, address.city, kind."
    )
    method: str = strawberry.field(
        description="exact, jaro_winkler, token_set, transposition, digits, last_digits, "
        "local_part, initial."
    )
    score: float = strawberry.field(description="Similarity of the values, 0 to 1.")
    weight: float = strawberry.field(
        description="Evidence in bits: positive for the same customer, negative against."
    )

    @classmethod
    def from_reason(cls, reason: Reason | dict[str, Any]) -> MatchReason:
        if isinstance(reason, dict):
            return cls(field=reason["field"], method=reason["method"], score=reason["score"],
                       weight=reason["weight"])  # fmt: skip
        return cls(field=reason.field, method=reason.method, score=reason.score,
                   weight=reason.weight)  # fmt: skip


@strawberry.type(description="A customer that may be the same as another, and why.")
class DuplicateMatch:
    customer: Customer
    score: float = strawberry.field(description="Match probability, 0 to 1.")
    band: DuplicateBand
    reasons: list[MatchReason]

    @classmethod
    def from_pair(cls, other: models.Customer, pair: models.DuplicateCandidate) -> DuplicateMatch:
        return cls(
            customer=Customer.from_row(other),
            score=pair.score,
            band=DuplicateBand(pair.band),
            reasons=[MatchReason.from_reason(r) for r in pair.reasons],
        )

    @classmethod
    def from_found(cls, found: Found) -> DuplicateMatch:
        return cls(
            customer=Customer.from_row(found.customer),
            score=found.match.score,
            band=DuplicateBand(found.band),
            reasons=[MatchReason.from_reason(r) for r in found.match.reasons],
        )


@strawberry.input(description="A contact's e-mail and phone, as a probe carries them.")
class ContactProbe:
    email: str | None = None
    phone: str | None = None


@strawberry.input(description="A customer about to be created (or edited), to check first.")
class CustomerProbe:
    legal_name: str | None = None
    kind: CustomerKind = CustomerKindValue.COMPANY  # type: ignore[valid-type]
    trade_name: str | None = None
    tax_id: str | None = None
    tax_id_country: str | None = None
    birth_date: dt.date | None = None
    email: str | None = None
    phone: str | None = None
    address: AddressInput | None = None
    contacts: list[ContactProbe] | None = None
    exclude_id: strawberry.ID | None = strawberry.field(
        default=None, description="A customer never to match (the one being edited)."
    )


def probe_values(probe: CustomerProbe) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The probe as customer columns, and its contacts' e-mails and phones."""
    contacts = probe.contacts or []
    if len(contacts) > MAX_PROBE_CONTACTS:
        raise problem(("probe", "contacts"), ErrorCode.LIMIT_EXCEEDED,
                      f"At most {MAX_PROBE_CONTACTS} contacts.")  # fmt: skip
    values = {
        "kind": CustomerKindValue(probe.kind).value,
        "legal_name": probe.legal_name,
        "trade_name": probe.trade_name,
        "tax_id": probe.tax_id,
        "tax_id_country": probe.tax_id_country,
        "birth_date": probe.birth_date if probe.kind == CustomerKindValue.PERSON else None,
        "email": probe.email.strip().lower() if probe.email else None,
        "phone": probe.phone,
        **address_columns(probe.address),
    }
    present = {key: value for key, value in values.items() if value not in (None, "")}
    return present, [{"email": c.email, "phone": c.phone} for c in contacts]


def warnings(found: list[Found]) -> list[UserError]:
    from clientbase.services.dedupe.service import warning

    return [UserError(field=None, code=ErrorCode.DUPLICATE, message=warning(f).message)
            for f in found]  # fmt: skip


@strawberry.enum(description="OPEN: to review; DISMISSED: not the same; MERGED: merged.")
class DuplicateCandidateStatus(Enum):
    OPEN = "OPEN"
    DISMISSED = "DISMISSED"
    MERGED = "MERGED"


@strawberry.enum(description="What to do with a candidate pair.")
class DuplicateResolution(Enum):
    DISMISS = "DISMISS"
    MERGE = "MERGE"


@strawberry.type(description="Two customers a duplicate scan found alike, for review.")
class DuplicateCandidate(Node):
    row: strawberry.Private[models.DuplicateCandidate]
    score: float = strawberry.field(description="Match probability, 0 to 1.")
    band: DuplicateBand
    status: DuplicateCandidateStatus
    reasons: list[MatchReason]
    cluster_id: strawberry.ID | None = strawberry.field(
        description="Pairs that share a customer, directly or through others, share this id."
    )
    resolved_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="The customer of the pair created first (smaller id).")
    async def customer_a(self, info: Info) -> Customer:
        return await owning_customer(info, self.row.customer_a_id)

    @strawberry.field(description="The other customer of the pair.")
    async def customer_b(self, info: Info) -> Customer:
        return await owning_customer(info, self.row.customer_b_id)

    @classmethod
    def from_row(cls, row: models.DuplicateCandidate) -> DuplicateCandidate:
        cluster = row.cluster_id
        return cls(
            id=strawberry.ID(to_global_id("DuplicateCandidate", row.id)),
            row=row,
            score=row.score,
            band=DuplicateBand(row.band),
            status=DuplicateCandidateStatus(row.status),
            reasons=[MatchReason.from_reason(r) for r in row.reasons],
            cluster_id=strawberry.ID(to_global_id("DuplicateCluster", cluster)) if cluster
            else None,
            resolved_at=row.resolved_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )  # fmt: skip


@strawberry.input(description="Conditions on duplicate candidates; all given ones must hold.")
class DuplicateCandidateFilter:
    status: DuplicateCandidateStatus | None = DuplicateCandidateStatus.OPEN
    band: DuplicateBand | None = None
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Pairs that involve this customer."
    )
    cluster_id: strawberry.ID | None = None
    min_score: float | None = None


@strawberry.input(description="What a duplicate scan covers.")
class DuplicateScanInput:
    only_changed: bool = strawberry.field(
        default=False,
        description="Only the customers changed since the last successful scan began.",
    )


@strawberry.type
class DuplicateCandidatePayload:
    duplicate_candidate: DuplicateCandidate | None
    user_errors: list[UserError]
    merge_id: strawberry.ID | None = strawberry.field(
        default=None, description="MERGE: the merge made (a CustomerMerge id), to undo it."
    )


async def duplicates_of(info: Info, customer_id: uuid.UUID) -> list[DuplicateMatch]:
    """Customer.duplicates: the open pairs a scan found for this customer, best first."""
    loader = info.context.loaders.get(("Customer", "duplicates"), candidates.open_matches)
    return [DuplicateMatch.from_pair(other, pair) for other, pair in await loader.load(customer_id)]


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.DuplicateCandidate, ids, DuplicateCandidate.from_row)


register_node("DuplicateCandidate", _load)
