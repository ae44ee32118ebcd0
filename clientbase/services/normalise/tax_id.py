"""Tax identifiers checked and compacted with python-stdnum, per ISO alpha-2 country.

The stored form is the national compact form: upper case, separators and any VAT
country prefix removed ("PT 501 964 843" -> "501964843", "DE 136 695 976" ->
"136695976"), because the country is stored beside it. US EINs are stored as nine
digits. Countries without a check here are compacted but not checked.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import NamedTuple

from stdnum import exceptions as stdnum_errors
from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.de import idnr, stnr
from stdnum.de import vat as de_vat
from stdnum.es import nif as es_nif
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren, siret, tva
from stdnum.mx import rfc
from stdnum.pt import nif as pt_nif
from stdnum.us import ein, itin, ssn

from clientbase.services.normalise.common import CACHED_VALUES, NormalisationError

COMPANY = "COMPANY"
PERSON = "PERSON"
_ANY = frozenset({COMPANY, PERSON})

# Blanks, dots, commas, slashes and every dash a word processor may put in.
_SEPARATORS = re.compile(r"[\s.,/\-\u2010-\u2015\u2212]+")


class _Variant(NamedTuple):
    label: str
    validate: Callable[[str], str]
    lengths: frozenset[int]
    kinds: frozenset[str] = _ANY


def _variant(
    label: str, validate: Callable[[str], str], *lengths: int, kind: str | None = None
) -> _Variant:
    return _Variant(label, validate, frozenset(lengths), frozenset({kind}) if kind else _ANY)


# Length picks the variant where it can; the customer's kind only orders variants of one
# length (US: EIN for a company, SSN/ITIN for a person) and never rejects a number that is
# valid for the other kind, because sole traders legitimately use company numbers.
_VARIANTS: dict[str, tuple[_Variant, ...]] = {
    "BR": (
        _variant("CNPJ", cnpj.validate, 14, kind=COMPANY),
        _variant("CPF", cpf.validate, 11, kind=PERSON),
    ),
    "PT": (_variant("NIF", pt_nif.validate, 9),),
    # es.nif accepts all three forms: DNI (residents), NIE (foreigners), CIF (entities).
    "ES": (_variant("NIF/NIE/CIF", es_nif.validate, 9),),
    "FR": (
        _variant("SIREN", siren.validate, 9),
        _variant("SIRET", siret.validate, 14),
        _variant("TVA number", tva.validate, 11),
    ),
    "DE": (
        _variant("USt-IdNr", de_vat.validate, 9),
        _variant("Steuernummer", stnr.validate, 10, 11, 13),
        _variant("Steuer-IdNr", idnr.validate, 11, kind=PERSON),
    ),
    "US": (
        _variant("EIN", ein.validate, 9, kind=COMPANY),
        _variant("SSN", ssn.validate, 9, kind=PERSON),
        _variant("ITIN", itin.validate, 9, kind=PERSON),
    ),
    # 12 characters for a company, 13 for a person, 10 for a person without homoclave.
    # stdnum leaves the RFC check digit unchecked by default: about 1.5% of issued
    # numbers fail it.
    "MX": (_variant("RFC", rfc.validate, 10, 12, 13),),
    "AR": (_variant("CUIT", cuit.validate, 11),),
}

# stdnum's exception classes, most specific first (InvalidLength is an InvalidFormat).
_REASONS: tuple[tuple[type[stdnum_errors.ValidationError], str], ...] = (
    (stdnum_errors.InvalidChecksum, "the check digit is wrong"),
    (stdnum_errors.InvalidLength, "it has the wrong length"),
    (stdnum_errors.InvalidFormat, "it has the wrong format"),
    (stdnum_errors.InvalidComponent, "a part of it is not valid (such as a region or date)"),
)


@functools.lru_cache(maxsize=CACHED_VALUES)
def normalise_tax_id(
    raw: str, country: str | None, kind: str | None = None, field: str = "taxId"
) -> str:
    """`raw` checked for `country` and compacted; raises NormalisationError if invalid.

    `kind` is "COMPANY", "PERSON" or None; it only decides which variant's failure is
    reported and tried first where one length fits several.
    """
    kind_key = _kind(kind)
    number = compact_tax_id(raw)
    if not number:
        raise NormalisationError(field, f"`{field}` is empty.")
    code = (country or "").strip().upper()
    is_eu = code.lower() in eu_vat.MEMBER_STATES
    if is_eu:
        number = _strip_vat_prefix(number, code)
    variants = _VARIANTS.get(code)
    if variants is not None:
        return _check_variants(number, code, _ordered(variants, kind_key), field)
    if is_eu:
        return _check_eu_vat(number, code, field)
    return number


def tax_id_digits(raw: str) -> str:
    """The letters and digits of `raw`, upper-cased, for search matching."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", raw).upper() if ch.isalnum())


def compact_tax_id(raw: str) -> str:
    """`raw` upper-cased without blanks, dots, commas, slashes or dashes; no check."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw).upper())


def _kind(kind: str | None) -> str | None:
    if kind is None:
        return None
    key = str(kind).strip().upper()
    if key not in _ANY:
        raise ValueError(f"kind must be COMPANY, PERSON or None, not {kind!r}")
    return key


def _vat_prefix(code: str) -> str:
    # Greece is GR in ISO 3166 but EL in VAT numbers.
    return "EL" if code == "GR" else code


def _strip_vat_prefix(number: str, code: str) -> str:
    for prefix in (code, _vat_prefix(code)):
        if number.startswith(prefix) and len(number) > len(prefix):
            return number[len(prefix) :]
    return number


def _ordered(variants: Sequence[_Variant], kind: str | None) -> list[_Variant]:
    if kind is None:
        return list(variants)
    preferred = [v for v in variants if kind in v.kinds]
    return preferred + [v for v in variants if kind not in v.kinds]


def _check_variants(number: str, code: str, variants: list[_Variant], field: str) -> str:
    fitting = [v for v in variants if len(number) in v.lengths]
    if not fitting:
        expected = " or ".join(
            f"{v.label} ({'/'.join(str(n) for n in sorted(v.lengths))})" for v in variants
        )
        raise NormalisationError(
            field,
            f"`{field}` has {len(number)} characters, which fits no tax ID of {code}: "
            f"expected {expected}.",
        )
    first_error: stdnum_errors.ValidationError | None = None
    for variant in fitting:
        try:
            return variant.validate(number)
        except stdnum_errors.ValidationError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise _error(field, fitting[0].label, first_error) from first_error


def _check_eu_vat(number: str, code: str, field: str) -> str:
    prefix = _vat_prefix(code)
    try:
        checked = eu_vat.validate(prefix + number)
    except stdnum_errors.ValidationError as exc:
        raise _error(field, f"{code} VAT number", exc) from exc
    return checked[len(prefix) :]


def _error(field: str, label: str, exc: stdnum_errors.ValidationError) -> NormalisationError:
    reason = next((text for cls, text in _REASONS if isinstance(exc, cls)), "it is not valid")
    return NormalisationError(field, f"`{field}` is not a valid {label}: {reason}.")
