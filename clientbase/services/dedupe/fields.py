"""Per-field comparisons of two match records: pure functions, each telling how alike one
identity field is (a similarity in [0, 1]), by which method, and at which agreement level.

A comparison returns None when either side lacks the value: what is missing is no
evidence either way. Levels are the keys of the weight table in `scoring`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from clientbase.services.dedupe.record import MatchRecord

# Similarity at or above which two names count as the same name misspelt, and as related.
NAME_HIGH, NAME_MEDIUM = 0.93, 0.85
PERSON_NAME_HIGH = 0.90
STREET_SAME = 0.90
# Numbers compared by their last digits: a missing or different country or area code.
LAST_DIGITS = 8
POINTS_CACHE = 65536
# Local parts of role addresses: the same one at two domains says nothing.
# Role mailboxes: thousands of unrelated companies have one of these, so sharing the local
# part says nothing (English, Portuguese, Spanish, German, French).
GENERIC_LOCAL_PARTS = frozenset({
    "contato", "contact", "contacto", "kontakt", "info", "informacion", "admin",
    "administracion", "administracao", "vendas", "ventas", "sales", "verkauf", "ventes",
    "financeiro", "finanzas", "finance", "comercial", "commercial", "office", "buero", "buro",
    "mail", "email", "atendimento", "atencion", "sac", "suporte", "soporte", "support",
    "hello", "hola", "noreply", "pedidos", "orders", "compras", "purchasing", "einkauf",
    "faturamento", "facturacion", "billing", "invoices", "rechnung", "cobranca", "cobranza",
    "accounts", "contabilidade", "contabilidad", "geral", "general", "enquiries", "inquiries",
    "marketing", "recepcion", "recepcao", "reservas", "bookings", "secretaria", "service",
    "servicios", "servicos", "kundenservice", "team", "equipe", "equipo", "rh", "hr", "jobs",
})  # fmt: skip


@dataclass(frozen=True)
class Comparison:
    """One field compared: what a match's reasons show, and the level its weight is read by."""

    field: str
    method: str
    score: float
    level: str


def name_similarity(a: str, b: str) -> tuple[float, str]:
    """The better of Jaro-Winkler (typos, endings) and token-set ratio (reordered, dropped or
    added words) on folded names, with the method that gave it."""
    if a == b:
        return 1.0, "exact"
    jaro = JaroWinkler.normalized_similarity(a, b)
    tokens = token_set_ratio(a, b) / 100
    return (jaro, "jaro_winkler") if jaro >= tokens else (tokens, "token_set")


def company_name(a: MatchRecord, b: MatchRecord) -> Comparison | None:
    """The closest pair among both records' legal and trade names."""
    pairs = [("legalName", a.name, b.name), ("tradeName", a.trade_name, b.trade_name),
             ("tradeName", a.name, b.trade_name), ("tradeName", a.trade_name, b.name)]  # fmt: skip
    best: Comparison | None = None
    for field, left, right in pairs:
        if not left or not right:
            continue
        score, method = name_similarity(left, right)
        if best is None or score > best.score:
            # The same words in another order are as good as the same name; a name with
            # words more or less (token-set 1.0 too) is only close.
            same_words = sorted(left.split()) == sorted(right.split())
            level = ("exact" if same_words else "high" if score >= NAME_HIGH
                     else "medium" if score >= NAME_MEDIUM else "differ")  # fmt: skip
            best = Comparison(field, method, round(score, 4), level)
    return best


def _person_part(field: str, a: str, b: str, initials: bool) -> Comparison:
    if a == b:
        return Comparison(field, "exact", 1.0, "exact")
    if initials and (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return Comparison(field, "initial", 0.5, "initial")
    score = round(JaroWinkler.normalized_similarity(a, b), 4)
    return Comparison(field, "jaro_winkler", score,
                      "high" if score >= PERSON_NAME_HIGH else "differ")  # fmt: skip


def person_names(a: MatchRecord, b: MatchRecord) -> tuple[Comparison, Comparison] | None:
    """Given name with given name and surname with surname, or crosswise when that fits
    better (a name written surname first); None unless both have two words or more."""
    if not (a.given_name and b.given_name):
        return None
    straight = (_person_part("givenName", a.given_name, b.given_name, True),
                _person_part("surname", a.surname, b.surname, False))  # fmt: skip
    crossed = (_person_part("givenName", a.given_name, b.surname, True),
               _person_part("surname", a.surname, b.given_name, False))  # fmt: skip
    if sum(c.score for c in crossed) > sum(c.score for c in straight):
        return crossed
    return straight


def tax_id(a: MatchRecord, b: MatchRecord) -> Comparison | None:
    """Exact: tax ids are checked and compacted when stored, so a typo rarely survives."""
    if not (a.tax_id and b.tax_id):
        return None
    same = a.tax_id == b.tax_id
    return Comparison("taxId", "exact", 1.0 if same else 0.0, "exact" if same else "differ")


def _transposed(a: dt.date, b: dt.date) -> bool:
    """Day and month swapped, or two adjacent digits of the ISO date swapped."""
    if (a.day, a.month, a.year) == (b.month, b.day, b.year):
        return True
    x, y = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and x[diff[0]] == y[diff[1]]
        and (x[diff[1]] == y[diff[0]])
    )


def birth_date(a: MatchRecord, b: MatchRecord) -> Comparison | None:
    if a.birth_date is None or b.birth_date is None:
        return None
    if a.birth_date == b.birth_date:
        return Comparison("birthDate", "exact", 1.0, "exact")
    if _transposed(a.birth_date, b.birth_date):
        return Comparison("birthDate", "transposition", 0.8, "transposed")
    return Comparison("birthDate", "exact", 0.0, "differ")


def _shared(a_own: frozenset[str], a_all: frozenset[str], b_own: frozenset[str],
            b_all: frozenset[str], own: str, other: str) -> str | None:  # fmt: skip
    """The field name of a value both share: the customer's own, or a contact's."""
    if a_own & b_own:
        return own
    if a_all & b_all:
        return other
    return None


def contact_points(a: MatchRecord, b: MatchRecord) -> Comparison | None:
    """E-mails and phones of the customers and their contacts: the strongest agreement."""
    a_emails, b_emails = a.all_emails, b.all_emails
    a_phones, b_phones = a.all_phones, b.all_phones
    if not ((a_emails and b_emails) or (a_phones and b_phones)):
        return None
    field = _shared(a.emails, a_emails, b.emails, b_emails, "email", "contactEmail")
    if field:
        return Comparison(field, "exact", 1.0, "email")
    field = _shared(a.phones, a_phones, b.phones, b_phones, "phone", "contactPhone")
    if field:
        return Comparison(field, "digits", 1.0, "phone")
    if _tails(a_phones) & _tails(b_phones):
        return Comparison("phone", "last_digits", 0.8, "phone_tail")
    if _locals(a_emails) & _locals(b_emails):
        return Comparison("email", "local_part", 0.7, "email_local")
    return Comparison("email" if a_emails and b_emails else "phone", "exact", 0.0, "differ")


# A record's sets are the same object in each of its comparisons (and a frozenset keeps its
# hash): each record's tails and local parts are worked out about once.
@lru_cache(maxsize=POINTS_CACHE)
def _tails(phones: frozenset[str]) -> frozenset[str]:
    return frozenset(p[-LAST_DIGITS:] for p in phones if len(p) >= LAST_DIGITS)


@lru_cache(maxsize=POINTS_CACHE)
def _locals(emails: frozenset[str]) -> frozenset[str]:
    parts = {e.partition("@")[0] for e in emails}
    return frozenset(p for p in parts if len(p) >= 5 and p not in GENERIC_LOCAL_PARTS)


def address(a: MatchRecord, b: MatchRecord) -> Comparison | None:
    """Postal code, street and number together; the city when nothing finer is known."""
    if not (a.has_address and b.has_address):
        return None
    street = (JaroWinkler.normalized_similarity(a.street, b.street)
              if a.street and b.street else None)  # fmt: skip
    same_street = street is not None and street >= STREET_SAME
    same_number = bool(a.number and a.number == b.number)
    if a.postal_code and b.postal_code:
        if a.postal_code != b.postal_code:
            return Comparison("address", "exact", 0.0, "differ")
        if same_street and same_number:
            return Comparison("address", "jaro_winkler", round(street or 1.0, 4), "full")
        if same_number:
            return Comparison("address.postalCode", "exact", 0.9, "postal_number")
        return Comparison("address.postalCode", "exact", 0.6, "postal")
    if street is not None and a.number and b.number:
        if same_street and same_number:
            return Comparison("address", "jaro_winkler", round(street, 4), "street_number")
        return Comparison("address", "jaro_winkler", round(street, 4), "differ")
    if a.city and b.city:
        if a.city == b.city:
            return Comparison("address.city", "exact", 0.5, "city")
        return Comparison("address.city", "exact", 0.0, "differ")
    return None


def kind(a: MatchRecord, b: MatchRecord) -> Comparison | None:
    """Only a disagreement says something: a company and a person are seldom one customer."""
    if a.kind == b.kind:
        return None
    return Comparison("kind", "exact", 0.0, "differ")
