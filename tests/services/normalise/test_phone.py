"""Phone numbers as people write them, to E.164, and the ones that must be refused."""

from __future__ import annotations

import pytest

from clientbase.services.normalise import NormalisationError, normalise_phone, phone_digits

SAO_PAULO_MOBILE = "+5511987654321"


def full_width(text: str) -> str:
    """Digits as CJK input methods type them (U+FF10..U+FF19)."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in text)


@pytest.mark.parametrize(
    ("raw", "default_country"),
    [
        ("+55 11 98765-4321", None),
        ("(11) 98765-4321", "BR"),
        ("11987654321", "BR"),
        ("0055 11 98765 4321", None),
        ("0055 11 98765 4321", "BR"),  # Brazil's own "00 + carrier" rule must not win
        ("011 98765-4321", "br"),  # trunk prefix, lower-case default
        ("+55 (11) 9 8765-4321", "PT"),  # the explicit code beats the default
        ("55 11 98765 4321", "BR"),
        ("(11) 98765-4321 ramal 12", "BR"),  # extension dropped
        (full_width("11987654321"), "BR"),  # full-width digits
    ],
)
def test_one_brazilian_mobile_written_many_ways(raw: str, default_country: str | None) -> None:
    assert normalise_phone(raw, default_country) == SAO_PAULO_MOBILE


@pytest.mark.parametrize(
    ("raw", "default_country", "expected"),
    [
        ("+351 912 345 678", None, "+351912345678"),
        ("912 345 678", "PT", "+351912345678"),
        ("0049 30 1234567", "BR", "+49301234567"),
        ("0049 30 1234567", "US", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("+1 (415) 555-2671", None, "+14155552671"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+1 415-555-2671 x123", None, "+14155552671"),
        ("+1 415 555 2671 ext. 9", "BR", "+14155552671"),
        ("+34 612 34 56 78", None, "+34612345678"),
        ("0021 49 30 1234567", "BR", "+49301234567"),  # Brazilian carrier-selected call abroad
    ],
)
def test_other_countries(raw: str, default_country: str | None, expected: str) -> None:
    assert normalise_phone(raw, default_country) == expected


@pytest.mark.parametrize(
    ("raw", "default_country", "reason_part"),
    [
        ("11987654321", None, "no country code"),
        ("11987654321", "XX", "'XX' has no phone numbering plan"),
        ("abc", "BR", "does not look like a phone number"),
        ("", "BR", "is empty"),
        ("   ", "BR", "is empty"),
        ("+55 11 1234", None, "too short"),
        ("+55 11 98765-43210", None, "too long"),
        ("+55 11 8765-4321", None, "not a valid number in +55 (BR)"),  # pre-2016 mobile
        ("+999 1234567", None, "country code that is not in use"),
        ("+1 (415) 555-267", None, "+1"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(
    raw: str, default_country: str | None, reason_part: str
) -> None:
    with pytest.raises(NormalisationError) as caught:
        normalise_phone(raw, default_country, field="contacts.0.phone")
    assert caught.value.field == "contacts.0.phone"
    assert reason_part in caught.value.reason
    assert str(caught.value) == caught.value.reason
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+55 (11) 98765-4321", "5511987654321"),
        ("9876-", "9876"),
        (full_width("tel: 4321"), "4321"),
        ("", ""),
    ],
)
def test_phone_digits(raw: str, expected: str) -> None:
    assert phone_digits(raw) == expected
