"""Duplicate types: the probe customerDuplicates is asked with, matches with their reasons,
and the candidate pairs a scan writes, with their filter, payload and scan input."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry

from clientbase.models.customer import CustomerKind as CustomerKindValue
from clientbase.schema.common import AddressInput, UserError, address_columns
from clientbase.schema.customer import Customer, CustomerKind
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
