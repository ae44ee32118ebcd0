"""The identity of a customer as the matcher sees it: folded names, keys, contact points.

Built from stored rows (whose keys the services wrote) or from a probe normalised by the
same code, so both sides of a comparison are spelled alike.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from clientbase.services.normalise import digits, fold_words, tax_id_digits

_NUMBER = re.compile(r"^\d+[a-z]?$")
FOLDED_CACHE = 65536  # streets and cities repeat across customers: fold each spelling once


@lru_cache(maxsize=FOLDED_CACHE)
def _folded(text: str) -> tuple[str, ...]:
    return tuple(fold_words(text))


@lru_cache(maxsize=FOLDED_CACHE)
def _city(text: str) -> str:
    return " ".join(_folded(text))


@lru_cache(maxsize=FOLDED_CACHE)
def _street(line: str) -> tuple[str, tuple[str, ...]]:
    """The folded words of an address line without its numbers, and its numbers."""
    words = _folded(line)
    return (" ".join(w for w in words if not _NUMBER.match(w)),
            tuple(w for w in words if _NUMBER.match(w)))  # fmt: skip


@dataclass(frozen=True)
class MatchRecord:
    """Everything is optional but the name: a missing value is never evidence."""

    name: str
    kind: str = "COMPANY"
    id: uuid.UUID | None = None
    version: int = 0
    trade_name: str = ""
    tax_id: str = ""
    birth_date: dt.date | None = None
    # Persons only: the first and last words of the name, legal forms kept ("Ana Sá").
    given_name: str = ""
    surname: str = ""
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()  # digits of the E.164 form
    contact_emails: frozenset[str] = frozenset()
    contact_phones: frozenset[str] = frozenset()
    postal_code: str = ""  # letters and digits, upper case (models.customer.POSTAL_KEY)
    # As typed: folded on first use, since most comparisons never get to the address.
    address_line: str = ""
    address_number: str = ""
    address_city: str = ""

    @property
    def has_address(self) -> bool:
        return bool(self.postal_code or self.address_line or self.address_city)

    # Cached on the record: a scan compares each record with about twenty others.
    @cached_property
    def street(self) -> str:
        """The folded words of the first address line, numbers left out."""
        return _street(self.address_line)[0]

    @cached_property
    def number(self) -> str:
        """The house number: given, or the first number of the address line."""
        numbers = _street(self.address_line)[1]
        return digits(self.address_number) or (numbers[0] if numbers else "")

    @cached_property
    def city(self) -> str:
        return _city(self.address_city)

    @cached_property
    def all_emails(self) -> frozenset[str]:
        """Its own e-mails and its contacts'."""
        return self.emails | self.contact_emails

    @cached_property
    def all_phones(self) -> frozenset[str]:
        """Its own phones and its contacts'."""
        return self.phones | self.contact_phones

    @property
    def is_person(self) -> bool:
        return self.kind == "PERSON"


def postal_key(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isascii() and ch.isalnum())


def _set(values: Iterable[str | None]) -> frozenset[str]:
    return frozenset(v for v in values if v)


def from_values(
    values: Mapping[str, Any],
    contacts: Iterable[Mapping[str, Any]] = (),
    *,
    record_id: uuid.UUID | None = None,
    version: int = 0,
) -> MatchRecord:
    """A record from customer columns in stored form (a row's, or a normalised write's) and
    its contacts' `email` and `phone_digits`."""
    kind = values.get("kind") or "COMPANY"
    legal = values.get("legal_name") or ""
    words = fold_words(legal) if kind == "PERSON" else []
    phone = values.get("phone_digits") or (digits(values["phone"]) if values.get("phone") else "")
    tax_id = values.get("tax_id_key") or (tax_id_digits(values["tax_id"]) if values.get("tax_id")
                                          else "")  # fmt: skip
    contacts = list(contacts)
    return MatchRecord(
        id=record_id,
        version=version,
        kind=kind,
        name=values.get("name_key") or " ".join(fold_words(legal)),
        trade_name=values.get("trade_name_key") or "",
        tax_id=tax_id,
        birth_date=values.get("birth_date") if kind == "PERSON" else None,
        given_name=words[0] if len(words) > 1 else "",
        surname=words[-1] if len(words) > 1 else "",
        emails=_set([(values.get("email") or "").lower()]),
        phones=_set([phone]),
        contact_emails=_set((c.get("email") or "").lower() for c in contacts),
        contact_phones=_set(c.get("phone_digits") for c in contacts),
        postal_code=postal_key(values.get("address_postal_code")),
        address_line=values.get("address_line1") or "",
        address_number=values.get("address_number") or "",
        address_city=values.get("address_city") or "",
    )
