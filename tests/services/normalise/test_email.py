"""E-mail syntax without DNS, lower-cased whole, internationalised domains kept readable."""

from __future__ import annotations

import pickle

import pytest

from clientbase.services.normalise import NormalisationError, normalise_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("joao.silva@padariasaojoao.com.br", "joao.silva@padariasaojoao.com.br"),
        ("Joao.Silva@PadariaSaoJoao.COM.BR", "joao.silva@padariasaojoao.com.br"),
        ("  compras@araujo.pt\n", "compras@araujo.pt"),
        ("Info@Müller-Söhne.DE", "info@müller-söhne.de"),
        ("info@xn--mller-shne-kcb9d.de", "info@müller-söhne.de"),
        ("josé.peñalver@talleres.es", "josé.peñalver@talleres.es"),
        ("first+tag@gmail.com", "first+tag@gmail.com"),
    ],
)
def test_valid_addresses(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("padaria.com.br", "@-sign"),
        ("joao@@padaria.com.br", "@-sign"),
        ("joao@padaria", "period"),
        ("joao..silva@padaria.com.br", "two periods"),
        ("João Silva <joao@padaria.com.br>", "display name"),
        ("joao silva@padaria.com.br", "invalid characters"),
        ("joao@site.test", "special-use"),
        ("", "is empty"),
    ],
)
def test_invalid_addresses_carry_the_library_reason(raw: str, reason_part: str) -> None:
    with pytest.raises(NormalisationError) as caught:
        normalise_email(raw, field="billingEmail")
    assert caught.value.field == "billingEmail"
    assert reason_part in caught.value.reason
    assert caught.value.reason.startswith("`billingEmail`")


def test_the_error_survives_pickling() -> None:
    error = NormalisationError("email", "`email` is empty.")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copy.field, copy.reason, str(copy)) == (
        "email",
        "`email` is empty.",
        "`email` is empty.",
    )
