"""Write-time normalisation shared by the customer and contact services.

The normalise library turns phones, e-mails and tax ids into their stored form; this module
applies it to the fields a write carries, turns its errors into problems on those fields,
and fills the match keys that the typeahead and duplicate detection read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from clientbase.services.errors import DomainError, ErrorCode, Problem
from clientbase.services.normalise import (
    NormalisationError,
    digits,
    name_key,
    normalise_email,
    normalise_phone,
    normalise_tax_id,
    tax_id_digits,
)

KINDS = frozenset({"COMPANY", "PERSON"})


class _Normaliser:
    """Collects the library's verdicts on one write: the values to store and the problems."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.values = dict(data)
        self.problems: list[Problem] = []

    def apply(self, column: str, convert: Callable[[str], str], value: Any = None) -> str | None:
        """Store `convert(value)` (default: the value given for `column`); None stays None."""
        raw = self.values.get(column) if value is None else value
        if raw is None:
            return None
        try:
            self.values[column] = converted = convert(raw)
        except NormalisationError as error:
            self.problems.append(Problem((error.field,), ErrorCode.INVALID, error.reason))
            return None
        return converted

    def key(self, column: str, source: str, derive: Callable[[str], str]) -> None:
        if source in self.values:
            value = self.values[source]
            self.values[column] = derive(value) if value else None

    def phone(self, country: str | None) -> None:
        if "phone" in self.values:
            e164 = self.apply("phone", lambda raw: normalise_phone(raw, country, "phone"))
            self.values["phone_digits"] = digits(e164) if e164 else None

    def email(self) -> None:
        if "email" in self.values:
            self.apply("email", lambda raw: normalise_email(raw, "email"))


def customer(
    data: Mapping[str, Any], country: str | None, current: Any = None
) -> tuple[dict[str, Any], list[Problem]]:
    """A customer write in stored form with its keys, and the problems found.

    `current` is the row being updated (None on create): a new tax id country re-checks
    the stored tax id, so the pair always agrees.
    """
    work = _Normaliser(data)
    work.key("name_key", "legal_name", name_key)
    work.key("trade_name_key", "trade_name", name_key)
    work.email()
    work.phone(country)
    if {"tax_id", "tax_id_country"} & data.keys():
        tax_id = data.get("tax_id", getattr(current, "tax_id", None))
        tax_country = data.get("tax_id_country", getattr(current, "tax_id_country", None))
        kind = data.get("kind", getattr(current, "kind", None))
        checked = work.apply(
            "tax_id",
            lambda raw: normalise_tax_id(raw, tax_country, kind if kind in KINDS else None),
            tax_id,
        )
        work.values["tax_id_key"] = tax_id_digits(checked) if checked else None
    return work.values, work.problems


def contact(data: Mapping[str, Any], country: str | None) -> tuple[dict[str, Any], list[Problem]]:
    """A contact write in stored form with its keys, and the problems found."""
    work = _Normaliser(data)
    work.key("name_key", "full_name", name_key)
    work.email()
    work.phone(country)
    return work.values, work.problems


def merge(shape: DomainError | None, problems: Iterable[Problem]) -> DomainError | None:
    """Shape problems and normalisation problems, at most one per field (the shape one)."""
    found = list(shape.problems) if shape is not None else []
    fields = {p.field for p in found}
    found += [p for p in problems if p.field not in fields]
    return DomainError(found) if found else None
