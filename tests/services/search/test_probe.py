"""What a typed query is looked up as: table-driven, no database."""

from __future__ import annotations

import pytest

from clientbase.services.search.probe import Probe, is_phone_like, probe


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Padaria São João", Probe("Padaria São João", name="padaria sao joao")),
        ("C-0001", Probe("C-0001", name="c 0001", code="c0001", email="c-0001",
                         tax_ids=("C0001",))),
        ("(11) 98765-4321", Probe("(11) 98765-4321", code="11987654321",
                                  tax_ids=("11987654321",),
                                  phone_prefixes=("11987654321", "5511987654321"),
                                  phone_suffix="12345678911")),
        ("011 9876", Probe("011 9876", code="0119876", tax_ids=("0119876",),
                           phone_prefixes=("0119876", "55119876"),
                           phone_suffix="6789110")),
        ("+55 11 9876", Probe("+55 11 9876", code="55119876", tax_ids=("55119876",),
                              phone_prefixes=("55119876",))),
        ("0055 11 9876", Probe("0055 11 9876", code="0055119876", tax_ids=("0055119876",),
                               phone_prefixes=("55119876",))),
        ("123", Probe("123", code="123", tax_ids=("123",))),  # too few digits for a phone
        ("PT 501 964 843", Probe("PT 501 964 843", name="pt 501 964 843",
                                 tax_ids=("PT501964843", "501964843"))),
        ("Compras@Padaria.com", Probe("Compras@Padaria.com", email="compras@padaria.com")),
        ("  ltda ", Probe("ltda", name="ltda", code="ltda", email="ltda")),
    ],
)  # fmt: skip
def test_keys_of_a_query(query: str, expected: Probe) -> None:
    assert probe(query, "BR") == expected


@pytest.mark.parametrize("query", ["", "  ", "ab", " a ", "12"])
def test_fewer_than_three_characters_are_not_looked_up(query: str) -> None:
    assert probe(query, "BR") is None


def test_without_a_default_country_only_typed_digits_are_prefixes() -> None:
    found = probe("(11) 98765", None)
    assert found is not None and found.phone_prefixes == ("1198765",)


def test_phone_like() -> None:
    assert is_phone_like(" +55 (11) 98765-4321 ") and is_phone_like("4321")
    assert not is_phone_like("padaria 2") and not is_phone_like("a@b.co")
