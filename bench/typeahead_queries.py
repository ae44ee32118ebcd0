"""The queries of the typeahead benchmark, drawn from the seeded rows as staff would type
them: prefixes of names, names with a typo, partial phones, tax id fragments, e-mails."""

from __future__ import annotations

import random
import unicodedata
import uuid
from typing import Any

TENANT_COUNTRY_CODE = 55  # the benchmark tenant's phones default to Brazil's

SAMPLE_CUSTOMERS = (
    "SELECT legal_name, code, tax_id, tax_id_country, phone_digits, email "
    "FROM customer TABLESAMPLE BERNOULLI (0.5) REPEATABLE (7)"
)
SAMPLE_CONTACTS = (
    "SELECT contact.full_name, customer.code FROM contact TABLESAMPLE BERNOULLI (0.2) "
    "REPEATABLE (7) JOIN customer ON customer.id = contact.customer_id"
)
# Share of each kind of query, as staff would type them into a search box.
MIX = {
    "name prefix": 30,
    "name typo": 15,
    "phone": 15,
    "tax id": 10,
    "e-mail": 10,
    "contact name": 15,
    "code": 5,
}


def plain_ascii(text: str) -> str:
    """How people type a name in a hurry: no accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_prefix(r: random.Random, name: str) -> str:
    from clientbase.services.normalise import name_key

    # Start at the first word, or at a later one, but never at the legal form at the end.
    words = name.split()
    kept = min(len(words), len(name_key(name).split()))
    wordy = [i for i in range(kept) if words[i][:1].isalnum()]
    start = 0 if r.random() < 0.7 or len(wordy) < 2 else r.choice(wordy[1:])
    text = " ".join(words[start:])[: r.randint(3, 8)]
    return plain_ascii(text).lower() if r.random() < 0.6 else text


def intended(name: str) -> str:
    """What a typo query means to type: the first three words of the name, unaccented."""
    return " ".join(plain_ascii(name).lower().split()[:3])


def typo(r: random.Random, name: str) -> str:
    text = intended(name)
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and i > 0]
    i = r.choice(letters)
    edit = r.random()
    if edit < 0.4:
        return text[:i] + text[i + 1 :]  # a letter left out
    if edit < 0.7 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # two letters swapped
    return text[:i] + r.choice("aeiourstnl") + text[i + 1 :]  # a wrong letter


def phone(r: random.Random, digits: str) -> str:
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    number = phonenumbers.parse(f"+{digits}")
    pick = r.random()
    if pick < 0.3:
        return digits[-r.randint(4, 8) :]  # the last digits
    if pick < 0.7 and number.country_code == TENANT_COUNTRY_CODE:
        # The tenant's own numbers in national format, "(11) 98765-4321", partly typed.
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        return national[: r.randint(7, len(national))]
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def tax_id(r: random.Random, value: str, country: str) -> str:
    if r.random() < 0.5:
        return value[: r.randint(5, max(5, len(value) - 1))]  # a fragment
    if country == "BR" and len(value) == 14:
        return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
    if country == "BR" and len(value) == 11:
        return f"{value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"
    return " ".join(value[i : i + 3] for i in range(0, len(value), 3))


def email(r: random.Random, value: str) -> str:
    if r.random() < 0.5:
        return value
    return value[: value.index("@") + r.randint(0, 4)]


async def sample_queries(
    app_url: str, tenant_id: uuid.UUID, count: int
) -> list[tuple[str, str, str, str]]:
    """`count` (kind, query) pairs drawn from the tenant's rows, in the proportions of MIX."""
    from sqlalchemy import text

    from clientbase.core.db import Database

    r = random.Random(20261202)
    database = Database(app_url, pool_size=1, max_overflow=0)
    try:
        async with database.session(tenant_id) as session:
            customers = (await session.execute(text(SAMPLE_CUSTOMERS))).all()
            contacts = (await session.execute(text(SAMPLE_CONTACTS))).all()
    finally:
        await database.dispose()

    def make(kind: str) -> tuple[str | None, str, str]:
        """A query of `kind`, the code of the customer it was made from, the name meant."""
        row = r.choice(customers)
        if kind == "contact name":
            contact = r.choice(contacts)
            return name_prefix(r, contact.full_name), contact.code, ""
        meant = intended(row.legal_name) if kind == "name typo" else ""
        return query(kind, row), row.code, meant

    def query(kind: str, row: Any) -> str | None:
        if kind == "name prefix":
            return name_prefix(r, row.legal_name)
        if kind == "name typo":
            return typo(r, row.legal_name)
        if kind == "phone":
            return row.phone_digits and phone(r, row.phone_digits)
        if kind == "tax id":
            return row.tax_id and tax_id(r, row.tax_id, row.tax_id_country)
        if kind == "e-mail":
            return row.email and email(r, row.email)
        return str(row.code[: r.randint(5, 8)])

    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
    queries: list[tuple[str, str, str, str]] = []
    while len(queries) < count:
        kind = r.choice(kinds)
        text_typed, code, meant = make(kind)
        if text_typed and len(text_typed.strip()) >= 3:
            queries.append((kind, text_typed, code, meant))
    return queries
