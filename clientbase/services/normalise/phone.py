"""Phone numbers to E.164 with libphonenumber's metadata (the `phonenumbers` package).

Extensions ("x123", "ext. 12", "ramal 12") are accepted and dropped: E.164 has no place
for them, and the number without one still reaches the switchboard and still identifies
the customer for duplicate matching.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from clientbase.services.normalise.common import CACHED_VALUES, NormalisationError, digits

# "00" is the international prefix in most of the world. libphonenumber only honours it for
# regions that use it, and Brazil's "00 + carrier" rule reads "0055 11 ..." as carrier 55
# followed by +1 11..., so a leading "00" is tried as "+" first.
_DOUBLE_ZERO = re.compile(r"^\s*00(?=[\s\-.()]*[1-9])")
# Portuguese "ramal" is not among libphonenumber's extension words; "ext" is.
_RAMAL = re.compile(r"\bramal\b\.?", re.IGNORECASE)

_PARSE_REASONS = {
    NumberParseException.NOT_A_NUMBER: "does not look like a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "is too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "is too short to be a phone number",
    NumberParseException.TOO_LONG: "is too long to be a phone number",
}

_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "is too short for a number in {where}",
    ValidationResult.TOO_LONG: "is too long for a number in {where}",
    ValidationResult.INVALID_LENGTH: "has the wrong number of digits for {where}",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "is missing its area code",
}


@functools.lru_cache(maxsize=CACHED_VALUES)
def normalise_phone(raw: str, default_country: str | None, field: str = "phone") -> str:
    """`raw` as E.164 ("+5511987654321"); `default_country` (ISO alpha-2) applies when
    the number has no country code. Raises NormalisationError if it is not a valid number."""
    text = _RAMAL.sub(" ext ", unicodedata.normalize("NFKC", raw)).strip()
    if not text:
        raise NormalisationError(field, f"`{field}` is empty.")
    region = default_country.strip().upper() if default_country else None
    candidates = [text]
    if _DOUBLE_ZERO.match(text):
        candidates.insert(0, _DOUBLE_ZERO.sub("+", text, count=1))

    # The first candidate is the likelier reading, so its failure is the one reported.
    first_reason: str | None = None
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except NumberParseException as exc:
            first_reason = first_reason or _parse_reason(exc, candidate, region, field)
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
        first_reason = first_reason or _invalid_reason(number, field)
    assert first_reason is not None
    raise NormalisationError(field, first_reason)


def phone_digits(raw: str) -> str:
    """The digits of `raw` as typed, for matching partial phone numbers in search."""
    return digits(raw)


def _parse_reason(exc: NumberParseException, candidate: str, region: str | None, field: str) -> str:
    if exc.error_type != NumberParseException.INVALID_COUNTRY_CODE:
        reason = _PARSE_REASONS.get(exc.error_type, "is not a phone number")
        return f"`{field}` {reason}."
    if candidate.lstrip().startswith("+"):
        return f"`{field}` starts with a country code that is not in use."
    if region is None:
        return (
            f"`{field}` has no country code (such as +55) and no default country was given "
            "to assume one."
        )
    return (
        f"`{field}` has no country code (such as +55) and the default country "
        f"{region!r} has no phone numbering plan."
    )


def _invalid_reason(number: phonenumbers.PhoneNumber, field: str) -> str:
    code = number.country_code
    where = f"+{code}"
    region = phonenumbers.region_code_for_country_code(code) if code else None
    if region and region != phonenumbers.UNKNOWN_REGION:
        where = f"{where} ({region})"
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        return f"`{field}` has a country code that is not in use."
    # A possible length that is still invalid is an unassigned range, e.g. an old 8-digit
    # Brazilian mobile number.
    reason = _LENGTH_REASONS.get(possible, "is not a valid number in {where}")
    return f"`{field}` {reason.format(where=where)}."
