"""The matcher's SQL: candidates by blocking keys for a batch of records in one statement,
and the records of customers by id with their contacts' e-mails and phones.

The lookups read the tenant views (customer_search, contact_search, customer_dedupe: see
migrations 0002 and 0005), so every one of them is an index range, each with its limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer
from clientbase.services.dedupe.blocking import BlockingKeys
from clientbase.services.dedupe.record import MatchRecord, from_values

# Rows taken per lookup and probe: exact keys rarely have more; names around a key in sort
# order on each side.
PER_KEY = 20
NEIGHBOURS = 5

_EXACT = "SELECT id FROM customer_search c WHERE c.{column} = {key} LIMIT :per_key"
_WORDS = ("SELECT id FROM customer_search c WHERE to_tsvector('simple'::regconfig, c.{column}) "
          "@@ to_tsquery('simple'::regconfig, p.{key}) LIMIT :per_key")  # fmt: skip
_INITIAL = (
    "SELECT id FROM customer_dedupe c WHERE c.{column} = p.{key} AND c.name_key >= p.initial "
    "AND c.name_key < p.initial_end ORDER BY c.name_key LIMIT :per_key"
)
_PROBES = [
    _EXACT.format(column="tax_id_key", key="p.tax_id"),
    # Both names against both names: a trade name is often typed as the legal one.
    *(_EXACT.format(column=column, key="ANY(ARRAY[p.name, p.trade])")
      for column in ("name_key", "trade_name_key")),
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
# The columns a match record is made of (record.from_values), and its contacts' points.
RECORD_COLUMNS = (
    "c.id, c.version, c.kind, c.legal_name, c.name_key, c.trade_name_key, c.tax_id_key, "
    "c.birth_date, c.email, c.phone_digits, c.address_line1, c.address_number, "
    "c.address_postal_code, c.address_city, points.emails, points.phones"
)
# Their names in a row of them (a scan's temporary table has them without the aliases).
RECORD_FIELDS = tuple(column.split(".")[1] for column in RECORD_COLUMNS.split(", "))
_POINTS_OF = (
    "LEFT JOIN LATERAL (SELECT array_agg(k.email) AS emails, array_agg(k.phone_digits) AS "
    "phones FROM contact k WHERE k.customer_id = c.id) AS points ON true"
)
_UNNEST = (
    "WITH p AS (SELECT * FROM unnest(CAST(:idx AS int[]), CAST(:name AS text[]), "
    "CAST(:trade AS text[]), CAST(:tax_id AS text[]), CAST(:words AS text[]), "
    "CAST(:loose AS text[]), CAST(:postal AS text[]), CAST(:birth AS date[]), "
    "CAST(:initial AS text[]), CAST(:initial_end AS text[])) "
    "AS p (idx, name, trade, tax_id, words, loose, postal, birth, initial, initial_end)), "
    "e AS (SELECT * FROM unnest(CAST(:e_idx AS int[]), CAST(:email AS text[])) "
    "AS e (idx, email)), "
    "ph AS (SELECT * FROM unnest(CAST(:ph_idx AS int[]), CAST(:phone AS text[])) "
    "AS ph (idx, phone)), "
    "t AS (SELECT * FROM unnest(CAST(:t_idx AS int[]), CAST(:tail AS text[]), "
    "CAST(:tail_end AS text[])) AS t (idx, tail, tail_end)), "
)
_LATERAL = "SELECT {alias}.idx, found.id FROM {alias} CROSS JOIN LATERAL ({sql}) AS found"
_LOOKUPS = " UNION ALL ".join(
    [_LATERAL.format(alias="p", sql=sql) for sql in _PROBES]
    + [_LATERAL.format(alias=alias, sql=sql) for alias, sql in _POINTS]
)
# One statement, built once from the constants above (every value is a parameter): the
# lookups of every probe, and the records of the customers they find.
_CANDIDATES = text(
    _UNNEST  # noqa: S608
    + "blocked AS (SELECT DISTINCT idx, id FROM ("
    + _LOOKUPS
    # Each found customer by its primary key (LIMIT 1 keeps the planner from turning the
    # join into a hash join over the whole table when it overestimates the lookups' rows).
    + ") AS found) SELECT b.idx, "
    + RECORD_COLUMNS
    + " FROM blocked b CROSS JOIN LATERAL (SELECT * FROM customer k WHERE k.id = b.id "
    "AND k.status <> 'MERGED' LIMIT 1) AS c " + _POINTS_OF
)
_RECORDS = text(
    "SELECT "  # noqa: S608
    + RECORD_COLUMNS
    + " FROM customer c "
    + _POINTS_OF
    + " WHERE c.id = ANY(CAST(:ids AS uuid[])) AND c.status <> 'MERGED'"
)


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


def _record(row: Any) -> MatchRecord:
    return record_from_row(row._mapping)


def record_from_row(row: Mapping[str, Any]) -> MatchRecord:
    """A match record from a row of the record columns (RECORD_COLUMNS)."""
    points = zip(row["emails"] or (), row["phones"] or (), strict=True)
    contacts = [{"email": email, "phone_digits": phone} for email, phone in points]
    return from_values(row, contacts, record_id=row["id"], version=row["version"])


async def blocked(
    session: AsyncSession, batch: Sequence[BlockingKeys]
) -> list[dict[uuid.UUID, MatchRecord]]:
    """For each probe of `batch`, the records of the customers its keys find (MERGED ones
    left out; the probe's own record too when it is stored), by id."""
    found: list[dict[uuid.UUID, MatchRecord]] = [{} for _ in batch]
    if not batch:
        return found
    # Probes of one batch often find the same customers (a common name): build each once.
    made: dict[uuid.UUID, MatchRecord] = {}
    for row in await session.execute(_CANDIDATES, _parameters(batch)):
        record = made.get(row.id)
        if record is None:
            record = made[row.id] = _record(row)
        found[row.idx][row.id] = record
    return found


async def records(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, MatchRecord]:
    """The match records of the customers `ids` (MERGED ones left out), by id."""
    if not ids:
        return {}
    rows = await session.execute(_RECORDS, {"ids": list(ids)})
    return {row.id: _record(row) for row in rows}


async def customers(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Customer]:
    """Customer rows by id, for the matches a caller is shown."""
    if not ids:
        return {}
    rows = await session.scalars(select(Customer).where(Customer.id.in_(ids)))
    return {row.id: row for row in rows}
