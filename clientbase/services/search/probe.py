"""What a typed query can mean: a name, a code, a tax id, a phone, an e-mail, each as a key.

Pure: the keys are made by the same normaliser that writes the stored ones, so a query
and a stored value meet in one spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from clientbase.services.normalise import digits, name_key, tax_id_digits

MIN_QUERY = 3  # fewer characters find nothing: too many customers share them
MIN_PHONE_DIGITS = 4
# A query that is a phone number: digits and what people write between them.
_PHONE_LIKE = re.compile(r"[\d\s+().\-/]+")
_INTERNATIONAL = re.compile(r"\s*(\+|00)")
_NOT_CODE = re.compile(r"[^0-9A-Za-z]+")


@dataclass(frozen=True)
class Probe:
    """The keys a query is looked up by; an empty one is not looked up."""

    text: str
    name: str = ""
    code: str = ""
    email: str = ""
    tax_ids: tuple[str, ...] = ()
    # Prefixes of the stored digits (as typed, and with the tenant's country code), and the
    # typed digits reversed, to find numbers by their last digits.
    phone_prefixes: tuple[str, ...] = ()
    phone_suffix: str = ""

    @property
    def empty(self) -> bool:
        return not (self.name or self.code or self.email or self.tax_ids or self.phone_prefixes)


def is_phone_like(query: str) -> bool:
    """Whether `query` may be a phone number, the one kind of key a default country changes."""
    return bool(_PHONE_LIKE.fullmatch(query.strip()))


def probe(query: str, default_country: str | None) -> Probe | None:
    """The keys of `query`, or None when it is too short to look up."""
    text = query.strip()
    if len(text) < MIN_QUERY:
        return None
    if "@" in text:
        # Only an e-mail address has one.
        return Probe(text=text, email=text.lower()) if " " not in text else None
    if _PHONE_LIKE.fullmatch(text):
        # Digits and separators: a phone, a code or a tax id, never a name.
        prefixes, suffix = _phone(text, default_country)
        return Probe(text=text, code=_code(text), tax_ids=_tax_ids(text), phone_prefixes=prefixes,
                     phone_suffix=suffix)  # fmt: skip
    key, blank = name_key(text), any(ch.isspace() for ch in text)
    return Probe(
        text=text,
        name=key if len(key) >= MIN_QUERY else "",
        # Codes and e-mail addresses have no blanks.
        code="" if blank else _code(text),
        email="" if blank else text.lower(),
        tax_ids=_tax_ids(text),
    )


def _code(text: str) -> str:
    """The code key: ASCII letters and digits, lower case (models.customer.CODE_KEY)."""
    return _NOT_CODE.sub("", text).lower()


def _tax_ids(text: str) -> tuple[str, ...]:
    key = tax_id_digits(text)
    if len(key) < MIN_QUERY or not any(ch.isdigit() for ch in key):
        return ()
    # Stored tax ids have no VAT country prefix ("PT 501 964 843" is kept as 501964843).
    if len(key) > MIN_QUERY + 2 and key[:2].isalpha():
        return (key, key[2:])
    return (key,)


def _phone(text: str, default_country: str | None) -> tuple[tuple[str, ...], str]:
    """Prefixes of the stored digits, and the reversed digits for a suffix lookup."""
    typed = digits(text)
    if len(typed) < MIN_PHONE_DIGITS:
        return (), ""
    if _INTERNATIONAL.match(text):
        # "+55 11 9876" or "0055 11 9876": the country code is there already.
        return (typed[2:] if text.lstrip().startswith("00") else typed,), ""
    prefixes = [typed]
    code = phonenumbers.country_code_for_region(default_country) if default_country else 0
    if code:
        # A national number: the trunk prefix ("0" in "011 ...") is not part of E.164.
        prefixes.append(f"{code}{typed.lstrip('0')}")
    return tuple(prefixes), typed[::-1]
