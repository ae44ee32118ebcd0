"""Tax IDs per country: valid numbers (from python-stdnum's own examples) compacted, bad ones refused."""

from __future__ import annotations

import pytest

from clientbase.services.normalise import NormalisationError, normalise_tax_id, tax_id_digits


@pytest.mark.parametrize(
    ("raw", "country", "kind", "expected"),
    [
        # Brazil: length picks CNPJ or CPF.
        ("11.222.333/0001-81", "BR", None, "11222333000181"),
        ("11222333000181", "BR", "COMPANY", "11222333000181"),
        ("16.727.230/0001-97", "BR", "PERSON", "16727230000197"),  # kind never overrides length
        ("12. ABC.345 /01DE\u201335", "BR", None, "12ABC34501DE35"),  # 2026 CNPJ, en dash
        ("111.444.777-35", "BR", "PERSON", "11144477735"),
        ("390.533.447-05", "BR", None, "39053344705"),
        # Portugal: NIF, with or without the VAT prefix.
        ("PT 501 964 843", "PT", None, "501964843"),
        ("501964843", "pt", None, "501964843"),
        # Spain: CIF, DNI and NIE through es.nif.
        ("ES B-58378431", "ES", "COMPANY", "B58378431"),
        ("J99216582", "ES", None, "J99216582"),
        ("54362315-K", "ES", "PERSON", "54362315K"),
        ("x-2482300w", "ES", "PERSON", "X2482300W"),
        # France: SIREN, SIRET, TVA.
        ("552 008 443", "FR", None, "552008443"),
        ("732 829 320 00074", "FR", None, "73282932000074"),
        ("Fr 40 303 265 045", "FR", None, "40303265045"),
        # Germany: USt-IdNr and Steuernummer.
        ("DE 136,695 976", "DE", None, "136695976"),
        ("136695976", "DE", None, "136695976"),
        ("181/815/0815 5", "DE", None, "18181508155"),
        # United States: EIN, SSN.
        ("91-1144442", "US", "COMPANY", "911144442"),
        ("536-90-4399", "US", "PERSON", "536904399"),
        # Mexico: RFC of a company and of a person.
        ("MAB-930714-8T4", "MX", "COMPANY", "MAB9307148T4"),
        ("GODE 561231 GR8", "MX", "PERSON", "GODE561231GR8"),
        # Argentina: CUIT.
        ("20-05536168-2", "AR", None, "20055361682"),
        # Other EU members through eu.vat; the national form is stored.
        ("ATU 57194903", "AT", None, "U57194903"),
        ("BE 0697.449.992", "BE", None, "0697449992"),
        ("IT 00743110157", "IT", None, "00743110157"),
        ("EL 094259216", "GR", None, "094259216"),
        ("094259216", "GR", None, "094259216"),
        ("NL004495445B01", "NL", None, "004495445B01"),
        # No check known: compacted only.
        ("76.086.428-5", "CL", None, "760864285"),
        ("ab-12.34/5 z", None, None, "AB12345Z"),
        ("gb 123 4567 89", "GB", None, "GB123456789"),
    ],
)
def test_valid_numbers_are_compacted(
    raw: str, country: str | None, kind: str | None, expected: str
) -> None:
    assert normalise_tax_id(raw, country, kind) == expected


@pytest.mark.parametrize(
    ("raw", "country", "kind", "reason_part"),
    [
        ("11.222.333/0001-82", "BR", None, "not a valid CNPJ: the check digit is wrong"),
        ("111.444.777-36", "BR", "PERSON", "not a valid CPF: the check digit is wrong"),
        ("111.444.777-3", "BR", None, "fits no tax ID of BR: expected CNPJ (14) or CPF (11)"),
        ("PT 501 964 842", "PT", None, "not a valid NIF: the check digit is wrong"),
        ("B64717839", "ES", "COMPANY", "NIF/NIE/CIF: the check digit is wrong"),
        ("x-2482300a", "ES", "PERSON", "the check digit is wrong"),
        ("404833047", "FR", None, "not a valid SIREN: the check digit is wrong"),
        ("73282932000079", "FR", None, "not a valid SIRET: the check digit is wrong"),
        ("84 323 140 391", "FR", None, "not a valid TVA number: the check digit is wrong"),
        ("136695978", "DE", None, "not a valid USt-IdNr: the check digit is wrong"),
        ("96-1234567", "US", "COMPANY", "not a valid EIN: a part of it is not valid"),
        ("MAB-931314-8T4", "MX", "COMPANY", "not a valid RFC: a part of it is not valid"),
        ("MAB-93071-8T4", "MX", None, "11 characters, which fits no tax ID of MX"),
        ("20267565392", "AR", None, "not a valid CUIT: the check digit is wrong"),
        ("IT 00743110158", "IT", None, "not a valid IT VAT number: the check digit is wrong"),
        ("ATU 5719490", "AT", None, "not a valid AT VAT number"),
        (" -./ ", "BR", None, "is empty"),
        ("", None, None, "is empty"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(
    raw: str, country: str | None, kind: str | None, reason_part: str
) -> None:
    with pytest.raises(NormalisationError) as caught:
        normalise_tax_id(raw, country, kind, field="customer.taxId")
    assert caught.value.field == "customer.taxId"
    assert reason_part in caught.value.reason


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="kind must be"):
        normalise_tax_id("11.222.333/0001-81", "BR", "SOLE_TRADER")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11.222.333/0001-81", "11222333000181"),
        ("es b-58378431", "ESB58378431"),
        ("\uff2d\uff21\uff22-930714", "MAB930714"),  # full-width letters,
    ],
)
def test_tax_id_digits(raw: str, expected: str) -> None:
    assert tax_id_digits(raw) == expected
