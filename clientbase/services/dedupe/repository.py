"""The matcher's SQL: candidates by blocking keys for a batch of records in one statement,
and the records of customers by id with their contacts' e-mails and phones.

The lookups read the tenant views (customer_search, contact_search, customer_dedupe: see
migrations 0002 and 0004), so every one of them is an index range, each with its limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contact import Contact
from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services.dedupe.blocking import BlockingKeys
from clientbase.services.dedupe.record import MatchRecord, from_row

# Rows taken per lookup and probe: exact keys rarely have more; names around a key in sort
# order on each side.
PER_KEY = 20
NEIGHBOURS = 5

_EXACT = "SELECT id FROM customer_search c WHERE c.{column} = p.{key} LIMIT :per_key"
_WORDS = ("SELECT id FROM customer_search c WHERE to_tsvector('simple'::regconfig, c.{column}) "
          "@@ to_tsquery('simple'::regconfig, p.{key}) LIMIT :per_key")  # fmt: skip
_INITIAL = (
    "SELECT id FROM customer_dedupe c WHERE c.{column} = p.{key} AND c.name_key >= p.initial "
    "AND c.name_key < p.initial_end ORDER BY c.name_key LIMIT :per_key"
)
_PROBES = [
    *(_EXACT.format(column=column, key=key)
      for column, key in (("tax_id_key", "tax_id"), ("name_key", "name"),
                          ("trade_name_key", "name"), ("name_key", "trade"),
                          ("trade_name_key", "trade"))),
    "SELECT id FROM customer_search c WHERE c.name_key > p.name ORDER BY c.name_key "
    "LIMIT :neighbours",
    "SELECT id FROM customer_search c WHERE c.name_key < p.name ORDER BY c.name_key DESC "
    "LIMIT :neighbours",
    *(_WORDS.format(column=column, key=key)
      for column in ("name_key", "trade_name_key") for key in ("words", "loose")),
    _INITIAL.format(column="postal_key", key="postal"),
    _INITIAL.format(column="birth_date", key="birth"),
]  # fmt: skip
_POINTS = [
    ("e", "SELECT id FROM customer_search c WHERE c.email = e.email LIMIT :per_key"),
    ("e", "SELECT customer_id AS id FROM contact_search c WHERE c.email = e.email "
          "LIMIT :per_key"),
    ("ph", "SELECT id FROM customer_search c WHERE c.phone_digits = ph.phone LIMIT :per_key"),
    ("ph", "SELECT customer_id AS id FROM contact_search c WHERE c.phone_digits = ph.phone "
           "LIMIT :per_key"),
    ("t", "SELECT id FROM customer_search c WHERE c.phone_digits_reversed >= t.tail AND "
          "c.phone_digits_reversed < t.tail_end LIMIT :per_key"),
]  # fmt: skip
# Built once from the constants above; every value travels as a parameter.
_CANDIDATES = text(
    "WITH p AS (SELECT * FROM unnest(CAST(:idx AS int[]), CAST(:name AS text[]), "  # noqa: S608
    "CAST(:trade AS text[]), CAST(:tax_id AS text[]), CAST(:words AS text[]), "
    "CAST(:loose AS text[]), CAST(:postal AS text[]), CAST(:birth AS date[]), "
    "CAST(:initial AS text[]), CAST(:initial_end AS text[])) "
    "AS p (idx, name, trade, tax_id, words, loose, postal, birth, initial, initial_end)), "
    "e AS (SELECT * FROM unnest(CAST(:e_idx AS int[]), CAST(:email AS text[])) "
    "AS e (idx, email)), "
    "ph AS (SELECT * FROM unnest(CAST(:ph_idx AS int[]), CAST(:phone AS text[])) "
    "AS ph (idx, phone)), "
    "t AS (SELECT * FROM unnest(CAST(:t_idx AS int[]), CAST(:tail AS text[]), "
    "CAST(:tail_end AS text[])) AS t (idx, tail, tail_end)) "
    "SELECT DISTINCT idx, id FROM ("
    + " UNION ALL ".join(
        [f"SELECT p.idx, found.id FROM p CROSS JOIN LATERAL ({sql}) AS found"  # noqa: S608
         for sql in _PROBES]
        + [f"SELECT {alias}.idx, found.id FROM {alias} CROSS JOIN LATERAL ({sql}) AS found"  # noqa: S608
           for alias, sql in _POINTS]
    )
    + ") AS blocked"
)  # fmt: skip


def _parameters(batch: Sequence[BlockingKeys]) -> dict[str, Any]:
    names = (
        "idx",
        "name",
        "trade",
        "tax_id",
        "words",
        "loose",
        "postal",
        "birth",
        "initial",
        "initial_end",
        "e_idx",
        "email",
        "ph_idx",
        "phone",
        "t_idx",
        "tail",
        "tail_end",
    )
    values: dict[str, list[Any]] = {name: [] for name in names}  # fmt: skip
    for index, keys in enumerate(batch):
        row = (index, keys.name, keys.trade_name, keys.tax_id, keys.words, keys.loose_words,
               keys.postal_code, keys.birth_date, keys.initial, keys.initial_end)  # fmt: skip
        for name, value in zip(("idx", "name", "trade", "tax_id", "words", "loose", "postal",
                                "birth", "initial", "initial_end"), row, strict=True):  # fmt: skip
            values[name].append(value)
        for email in keys.emails:
            values["e_idx"].append(index)
            values["email"].append(email)
        for phone in keys.phones:
            values["ph_idx"].append(index)
            values["phone"].append(phone)
        for tail in keys.phone_tails:
            values["t_idx"].append(index)
            values["tail"].append(tail)
            values["tail_end"].append(tail[:-1] + chr(ord(tail[-1]) + 1))
    return {**values, "per_key": PER_KEY, "neighbours": NEIGHBOURS}


async def blocked(session: AsyncSession, batch: Sequence[BlockingKeys]) -> list[set[uuid.UUID]]:
    """For each record of `batch`, the ids of the customers its keys find (itself included)."""
    found: list[set[uuid.UUID]] = [set() for _ in batch]
    if not batch:
        return found
    for index, customer_id in await session.execute(_CANDIDATES, _parameters(batch)):
        found[index].add(customer_id)
    return found


async def records(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Match records of the customers `ids` (MERGED ones left out), by id, with their rows."""
    if not ids:
        return {}
    rows = (
        await session.scalars(
            select(Customer).where(
                Customer.id.in_(ids), Customer.status != CustomerStatus.MERGED.value
            )
        )
    ).all()
    contacts: dict[uuid.UUID, list[Any]] = {}
    points = await session.execute(
        select(Contact.customer_id, Contact.email, Contact.phone_digits).where(
            Contact.customer_id.in_([row.id for row in rows])
        )
    )
    for point in points:
        contacts.setdefault(point.customer_id, []).append(point)
    return {row.id: (row, from_row(row, contacts.get(row.id, ()))) for row in rows}


def as_records(found: dict[uuid.UUID, Any]) -> dict[uuid.UUID, MatchRecord]:
    return {customer_id: record for customer_id, (_, record) in found.items()}
