"""Name match keys: accents, case, punctuation and legal forms do not matter."""

from __future__ import annotations

import pytest

from clientbase.services.normalise import name_key, name_tokens


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Portuguese
        ("Padaria São João Ltda.", "padaria sao joao"),
        ("PADARIA SAO JOAO", "padaria sao joao"),
        ("Padaria São João LTDA - ME", "padaria sao joao"),
        ("Construções Irmãos Araújo S/A", "construcoes irmaos araujo"),
        ("Construções Irmãos Araújo S.A.", "construcoes irmaos araujo"),
        ("Irmãos Silva & Cia. Ltda.", "irmaos silva"),
        ("Silva e Cia Ltda EPP", "silva"),
        ("Açougue Conceição EIRELI", "acougue conceicao"),
        ("Pastelaria Confiança, Lda.", "pastelaria confianca"),
        ("Cia. Brasileira de Distribuição", "cia brasileira de distribuicao"),  # leading form kept
        ("D'Ávila Comércio", "davila comercio"),
        # Spanish
        ("Talleres Peñalver, S.L.", "talleres penalver"),
        ("Talleres Peñalver SLU", "talleres penalver"),
        ("Distribuidora Ómega, S.A. de C.V.", "distribuidora omega"),
        ("Ferretería Núñez S. de R.L. de C.V.", "ferreteria nunez"),
        # German
        ("Müller & Söhne GmbH", "muller sohne"),
        ("MUELLER & SOEHNE GMBH", "mueller soehne"),  # transliterated input stays as typed
        ("Müller GmbH & Co. KG", "muller"),
        ("Bäckerei Groß e.K.", "backerei gross"),
        # Other scripts and letters NFKD keeps whole
        ("Ærø Øst ApS Łódź", "aero ost aps lodz"),
        # English
        ("ACME Inc", "acme"),
        ("Acme, Inc.", "acme"),
        ("Acme Holdings Co. Ltd", "acme holdings"),
        # Only legal forms: the folded name, never empty
        ("SA", "sa"),
        ("S.A.", "s a"),
        ("Ltda ME", "ltda me"),
        ("", ""),
        ("  --  ", ""),
    ],
)
def test_name_key(name: str, expected: str) -> None:
    assert name_key(name) == expected


def test_name_tokens() -> None:
    assert name_tokens("Padaria São João Ltda.") == ["padaria", "sao", "joao"]
    assert name_tokens("S/A") == ["s", "a"]
