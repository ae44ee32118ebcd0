"""Valid tax identifiers for demo customers, in the compact form the registry stores.

Each number is derived from the customer's sequence number `n` through a bijection
(multiplying by a large prime modulo the size of the number space), so two customers of
one tenant never share a tax id while the numbers still look random. Check digits come
from python-stdnum where it exposes them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from stdnum.br import cnpj
from stdnum.es import cif, dni
from stdnum.iso7064 import mod_11_10
from stdnum.mx import rfc
from stdnum.pt import nif

from clientbase.services.seed.locales import split

# Prime, and larger than every modulus's prime factors: n -> n * _SPREAD % m is a bijection.
_SPREAD = 2_654_435_761
# Campus prefixes the IRS issues EINs under (stdnum checks them).
_EIN_PREFIXES = split(
    "01|02|03|04|05|06|10|11|12|13|14|15|16|20|21|22|23|24|25|26|27|30|32|33|34|35|36|37|38|"
    "39|40|41|42|43|44|45|46|47|48|50|51|52|53|54|55|56|57|58|59|60|61|62|63|64|65|66|67|68|"
    "71|72|73|74|75|76|77|80|81|82|83|84|85|86|87|88|90|91|92|93|94|95|98|99"
)
_SSN_BLOCKED = frozenset({"078051120", "457555462", "219099999"})
# RFC homoclave characters: stdnum accepts [1-9A-V] then [1-9A-Z].
_HOMOCLAVE_1 = "123456789ABCDEFGHIJKLMNPQRSTUV"
_HOMOCLAVE_2 = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def _spread(n: int, modulus: int) -> int:
    return n * _SPREAD % modulus


def _cpf_check(base: str) -> str:
    # stdnum.br.cpf keeps its check-digit helper private; the rule is two mod-11 sums.
    first = (11 - sum((10 - i) * int(d) for i, d in enumerate(base))) % 11 % 10
    second = (11 - sum((11 - i) * int(d) for i, d in enumerate(base)) - 2 * first) % 11 % 10
    return f"{first}{second}"


def br_company(n: int, _letter: str) -> str:
    number = f"{_spread(n, 10**8):08d}0001"  # 0001: the head office, branch numbers follow
    return number + cnpj.calc_check_digits(number)


def br_person(n: int) -> str:
    base = f"{_spread(n, 10**9 - 1) + 1:09d}"
    return base + _cpf_check(base)


def pt_company(n: int, _letter: str) -> str:
    number = f"5{_spread(n, 10**7):07d}"  # 5: collective persons (companies)
    return number + nif.calc_check_digit(number)


def pt_person(n: int) -> str:
    number = f"2{_spread(n, 10**7):07d}"  # 1-3: natural persons
    return number + nif.calc_check_digit(number)


def es_company(n: int, letter: str) -> str:
    # CIF: the letter names the legal form (A S.A., B S.L., F cooperative); the check is a
    # digit for those forms.
    number = f"{letter or 'B'}{_spread(n, 10**7):07d}"
    return number + cif.calc_check_digits(number)[0]


def es_person(n: int) -> str:
    number = f"{_spread(n, 10**8):08d}"
    return number + dni.calc_check_digit(number)


def de_company(n: int, _letter: str) -> str:
    number = f"{10**7 + _spread(n, 9 * 10**7)}"  # USt-IdNr. never starts with 0
    return number + mod_11_10.calc_check_digit(number)


def us_company(n: int, _letter: str) -> str:
    return _EIN_PREFIXES[n % len(_EIN_PREFIXES)] + f"{_spread(n, 10**7):07d}"


def us_person(n: int) -> str:
    # SSN: area 001-665, group 01-99, serial 0001-9999.
    index = _spread(n, 665 * 99 * 9999)
    area, rest = divmod(index, 99 * 9999)
    group, serial = divmod(rest, 9999)
    number = f"{area + 1:03d}{group + 1:02d}{serial + 1:04d}"
    return "123456789" if number in _SSN_BLOCKED else number


def gb_company(n: int, _letter: str) -> str:
    number = f"{10**6 + _spread(n, 9 * 10**6)}"
    weighted = sum(w * int(d) for w, d in zip((8, 7, 6, 5, 4, 3, 2), number, strict=True))
    return f"{number}{-weighted % 97:02d}"  # weighted sum + last two digits = 0 (mod 97)


def mx_rfc(letters: str, founded: date, n: int) -> str:
    """RFC: 3 (company) or 4 (person) letters from the name, the date, homoclave, check."""
    clave = _spread(n, len(_HOMOCLAVE_1) * len(_HOMOCLAVE_2))
    homoclave = _HOMOCLAVE_1[clave // len(_HOMOCLAVE_2)] + _HOMOCLAVE_2[clave % len(_HOMOCLAVE_2)]
    number = f"{letters}{founded:%y%m%d}{homoclave}"
    number += rfc.calc_check_digit(number)
    if len(letters) == 4 and not rfc.is_valid(number):
        # Person RFCs whose four letters spell a rude word get an X instead (SAT rule).
        return mx_rfc(letters[:3] + "X", founded, n)
    return number


COMPANY_IDS: dict[str, Callable[[int, str], str]] = {
    "BR": br_company,
    "PT": pt_company,
    "ES": es_company,
    "DE": de_company,
    "US": us_company,
    "GB": gb_company,
}

# Germans and Britons as private customers have no number a supplier would record.
PERSON_IDS: dict[str, Callable[[int], str]] = {
    "BR": br_person,
    "PT": pt_person,
    "ES": es_person,
    "US": us_person,
}
