"""Set-based blocking for a full scan: every candidate pair of the tenant built by a few
sorted passes in PostgreSQL, instead of one set of index lookups per customer.

Each customer gives points (family, key, order): its tax id, e-mails and phones (its own and
its contacts'), the phones' last digits, both names, the name alone (sorted neighbourhood,
forwards and reversed), the name's initial within its postal code and within its birth date,
each pair of its three rarest name words, and its words in alphabetical order within its
postal code; among namesakes, customers are ordered by postal code and city. One window pass
pairs every point with the next WINDOW points of the same family and key in order (the
name-only families look up to NAME_WINDOW ahead for names CLOSE to it: namesakes fill a
short window), so a record meets a bounded number of others per key however common the key
is (a phone a thousand customers share pairs neighbours, not a million pairs). Pairs from
the name-only families are kept when the names are alike at all (trigram similarity,
SIMILAR), which drops most chance neighbours before Python scores anything.

The tables are temporary and live in the caller's transaction (ON COMMIT DROP): the scan
keeps one read transaction open while it scores and stores pairs through other sessions.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import POSTAL_KEY
from clientbase.services.dedupe.repository import RECORD_COLUMNS

WINDOW = 5
# Name-only families look further: their pairs pass the similarity filter first, and a
# common name fills a short window with namesakes.
NAME_WINDOW = 8
CLOSE = 0.8  # the similarity a pair further than WINDOW apart needs (namesakes, typos)
SIMILAR = 0.5  # pg_trgm similarity of the name keys for pairs only a name family made
RARE_WORDS = 3  # each pair of a name's rarest words is a key: one edited word still meets
MIN_WORD = 2
# Families whose keys are identity values: their pairs are scored whatever the names.
STRONG_FAMILIES = 5
WORK_MEM = "256MB"
NAMESAKE_CAP = 40  # as many namesakes as the per-record lookups can find (2 x PER_KEY)

# The live customers with what blocking reads and what a match record is made of
# (repository.RECORD_COLUMNS), contacts' points aggregated in one pass.
_CUSTOMERS = (
    "CREATE TEMPORARY TABLE scan_customer ON COMMIT DROP AS "  # noqa: S608 - fixed text
    f"SELECT {RECORD_COLUMNS}, {POSTAL_KEY} AS postal_key FROM customer c LEFT JOIN ("
    "SELECT customer_id, array_agg(email) AS emails, array_agg(phone_digits) AS phones "
    "FROM contact GROUP BY customer_id) AS points ON points.customer_id = c.id "
    "WHERE c.status <> 'MERGED'"
)
_CONTACT_POINTS = (
    "CREATE TEMPORARY TABLE scan_contact ON COMMIT DROP AS "
    "SELECT DISTINCT c.id, c.name_key, k.email, k.phone_digits FROM contact k "
    "JOIN scan_customer c ON c.id = k.customer_id "
    "WHERE k.email IS NOT NULL OR k.phone_digits IS NOT NULL"
)
_WORDS = (
    "CREATE TEMPORARY TABLE scan_word ON COMMIT DROP AS "
    "SELECT DISTINCT id, name_key, word FROM scan_customer, "
    "unnest(string_to_array(name_key, ' ')) AS word WHERE length(word) >= :min_word"
)
# Each customer's RARE_WORDS rarest words (rarest: fewest customers use it).
_RARE = (
    "CREATE TEMPORARY TABLE scan_rare ON COMMIT DROP AS SELECT id, name_key, word FROM ("
    "SELECT w.id, w.name_key, w.word, row_number() OVER (PARTITION BY w.id "
    "ORDER BY f.uses, w.word) AS rank FROM scan_word w JOIN (SELECT word, count(*) AS uses "
    "FROM scan_word GROUP BY word) AS f USING (word)) AS ranked WHERE rank <= :rare"
)
# Within one name, customers in order of where they are: among a thousand namesakes, the
# window then pairs those of the same postal code and city rather than neighbours by id.
_PLACE = "coalesce(postal_key, '') || ' ' || coalesce(lower(address_city), '')"
# (family, key, order) per customer; `family` numbers the strong families first.
_POINTS = [
    "SELECT id, 1, tax_id_key, name_key, name_key FROM scan_customer WHERE tax_id_key <> ''",
    "SELECT id, 2, email, name_key, name_key FROM scan_customer WHERE email IS NOT NULL "
    "UNION SELECT id, 2, email, name_key, name_key FROM scan_contact WHERE email IS NOT NULL",
    "SELECT id, 3, phone_digits, name_key, name_key FROM scan_customer "
    "WHERE phone_digits IS NOT NULL UNION SELECT id, 3, phone_digits, name_key, name_key "
    "FROM scan_contact WHERE phone_digits IS NOT NULL",
    "SELECT id, 4, right(phone_digits, 8), name_key, name_key FROM ("
    "SELECT id, phone_digits, name_key FROM scan_customer UNION "
    "SELECT id, phone_digits, name_key FROM scan_contact) AS p "
    "WHERE length(phone_digits) >= 8",
    f"SELECT id, 5, name_key, {_PLACE}, name_key FROM scan_customer WHERE name_key <> '' "  # noqa: S608
    f"UNION SELECT id, 5, trade_name_key, {_PLACE}, name_key FROM scan_customer "
    "WHERE trade_name_key <> ''",
    f"SELECT id, 6, '', name_key || ' ' || {_PLACE}, name_key FROM scan_customer "  # noqa: S608
    "WHERE name_key <> ''",
    f"SELECT id, 7, '', reverse(name_key) || ' ' || {_PLACE}, name_key FROM scan_customer "  # noqa: S608
    "WHERE name_key <> ''",
    "SELECT id, 8, postal_key || ' ' || left(name_key, 1), name_key, name_key "
    "FROM scan_customer WHERE postal_key <> '' AND name_key <> ''",
    "SELECT id, 9, birth_date::text || ' ' || left(name_key, 1), name_key, name_key "
    "FROM scan_customer WHERE birth_date IS NOT NULL AND name_key <> ''",
    f"SELECT r1.id, 10, r1.word || ' ' || r2.word, {_PLACE} || ' ' || r1.name_key, "  # noqa: S608
    "r1.name_key FROM scan_rare r1 JOIN scan_rare r2 ON r2.id = r1.id AND r1.word < r2.word "
    "JOIN scan_customer c ON c.id = r1.id",
    # The words of the name in alphabetical order, within the postal code: swapped words.
    "SELECT id, 11, postal_key, array_to_string(ARRAY(SELECT w FROM unnest(string_to_array("
    "name_key, ' ')) AS w ORDER BY w), ' '), name_key FROM scan_customer "
    "WHERE postal_key <> '' AND name_key <> ''",
]
_POINT_TABLE = (
    # Byte order (C) for the sort: the window pass needs neighbours, not a language's order.
    'CREATE TEMPORARY TABLE scan_point (id uuid, family smallint, key text COLLATE "C", '
    'ord text COLLATE "C", name_key text) ON COMMIT DROP'
)
_LEADS = ", ".join(f"lead(id, {n}) OVER w AS n{n}, lead(name_key, {n}) OVER w AS k{n}"
                   for n in range(1, NAME_WINDOW + 1))  # fmt: skip
_NEXT = ", ".join(f"({n}, n{n}, k{n})" for n in range(1, NAME_WINDOW + 1))
_PAIRS = (
    "CREATE TEMPORARY TABLE scan_pair ON COMMIT DROP AS "  # noqa: S608 - fixed text
    "SELECT DISTINCT least(x.id, v.other) AS a, greatest(x.id, v.other) AS b FROM ("
    f"SELECT id, family, name_key, {_LEADS} FROM scan_point "
    "WINDOW w AS (PARTITION BY family, key ORDER BY ord, id)) AS x "
    f"CROSS JOIN LATERAL (VALUES {_NEXT}) AS v (step, other, other_name) "
    "WHERE v.other IS NOT NULL AND v.other <> x.id "
    "AND (x.family <= :strong AND v.step <= :window "
    "OR x.family > :strong AND similarity(x.name_key, v.other_name) >= "
    "CASE WHEN v.step <= :window THEN CAST(:similar AS real) ELSE CAST(:close AS real) END)"
)
# How many other customers bear each customer's name as theirs (legal or trade), capped.
_NAMESAKES = (
    "CREATE TEMPORARY TABLE scan_namesake ON COMMIT DROP AS "
    "SELECT c.id, least(count(DISTINCT p.id), :cap) AS sharing FROM scan_customer c "
    "JOIN scan_point p ON p.family = 5 AND p.key = c.name_key AND p.id <> c.id "
    "GROUP BY c.id"
)


@dataclass(frozen=True)
class Chunk:
    pairs: list[tuple[uuid.UUID, uuid.UUID]]
    rows: list[dict[str, Any]]  # repository.RECORD_COLUMNS and postal_key, as plain values
    sharing: dict[uuid.UUID, int]


async def build_pairs(session: AsyncSession) -> int:
    """Build the tenant's candidate pairs (temporary tables of the session's transaction);
    returns how many there are."""
    # The sorts and hashes of a million rows fit in memory with room to spare.
    await session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    await session.execute(text(_CUSTOMERS))
    await session.execute(text("CREATE INDEX ON scan_customer (id)"))
    await session.execute(text(_CONTACT_POINTS))
    await session.execute(text(_WORDS), {"min_word": MIN_WORD})
    await session.execute(text(_RARE), {"rare": RARE_WORDS})
    await session.execute(text(_POINT_TABLE))
    for points in _POINTS:
        insert = "INSERT INTO scan_point (id, family, key, ord, name_key) " + points
        await session.execute(text(insert))
    limits = {"strong": STRONG_FAMILIES, "similar": SIMILAR, "close": CLOSE, "window": WINDOW}
    await session.execute(text(_PAIRS), limits)
    await session.execute(text("CREATE INDEX ON scan_pair (a)"))
    await session.execute(text(_NAMESAKES), {"cap": NAMESAKE_CAP})
    for table in ("scan_customer", "scan_pair"):
        await session.execute(text(f"ANALYZE {table}"))
    return int(await session.scalar(text("SELECT count(*) FROM scan_pair")) or 0)


async def customers_after(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """The next `limit` customers of the scan in id order, after `after`."""
    stmt = "SELECT id FROM scan_customer {where} ORDER BY id LIMIT :limit"
    where = "WHERE id > :after" if after is not None else ""
    rows = await session.scalars(text(stmt.format(where=where)), {"after": after, "limit": limit})
    return list(rows)


_CHUNK_PAIRS = "SELECT a, b FROM scan_pair WHERE a >= :first AND a <= :last ORDER BY a, b"
_CHUNK_RECORDS = (
    "SELECT * FROM scan_customer WHERE id IN (SELECT a FROM scan_pair WHERE a >= :first "
    "AND a <= :last UNION SELECT b FROM scan_pair WHERE a >= :first AND a <= :last)"
)
_CHUNK_NAMESAKES = "SELECT id, sharing FROM scan_namesake WHERE id >= :first AND id <= :last"


async def chunk(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Chunk:
    """The pairs whose first customer is one of `ids` (consecutive in id order), the record
    rows of every customer in them, and the namesakes of the first ones."""
    bounds = {"first": ids[0], "last": ids[-1]}
    pairs = [(a, b) for a, b in await session.execute(text(_CHUNK_PAIRS), bounds)]
    if not pairs:
        return Chunk([], [], {})
    rows = [dict(row._mapping) for row in await session.execute(text(_CHUNK_RECORDS), bounds)]
    sharing = await session.execute(text(_CHUNK_NAMESAKES), bounds)
    return Chunk(pairs, rows, {i: int(n) for i, n in sharing})
