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

Customers are numbered in name order (their rank) and a pair is two ranks: the scan takes
its pairs by ranges of the lower rank, and since most pairs join alike names, both ends of
most of them lie in one range or the next (see `chunk_scoring`).

The tables are temporary and live in the caller's transaction (ON COMMIT DROP): the scan
keeps one read transaction open while it scores and stores pairs through other sessions.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import POSTAL_KEY
from clientbase.services.dedupe.repository import RECORD_COLUMNS, RECORD_FIELDS

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

# The scan's order of customers (their rank): by name, so that most pairs, found by alike
# names, join customers of one chunk or of the next few, whose records are then read once.
_ORDER = "coalesce(c.name_key, '') COLLATE \"C\", c.id"
# The live customers with what blocking reads and what a match record is made of
# (repository.RECORD_COLUMNS), contacts' points aggregated in one pass.
_CUSTOMERS = (
    "CREATE TEMPORARY TABLE scan_customer ON COMMIT DROP AS "  # noqa: S608 - fixed text
    f"SELECT {RECORD_COLUMNS}, {POSTAL_KEY} AS postal_key, CAST(row_number() OVER ("
    f"ORDER BY {_ORDER}) AS int) AS rank FROM customer c LEFT JOIN ("
    "SELECT customer_id, array_agg(email) AS emails, array_agg(phone_digits) AS phones "
    "FROM contact GROUP BY customer_id) AS points ON points.customer_id = c.id "
    "WHERE c.status <> 'MERGED' ORDER BY rank"
)
_CONTACT_POINTS = (
    "CREATE TEMPORARY TABLE scan_contact ON COMMIT DROP AS "
    "SELECT DISTINCT c.id, c.rank, c.name_key, k.email, k.phone_digits FROM contact k "
    "JOIN scan_customer c ON c.id = k.customer_id "
    "WHERE k.email IS NOT NULL OR k.phone_digits IS NOT NULL"
)
_WORDS = (
    "CREATE TEMPORARY TABLE scan_word ON COMMIT DROP AS "
    "SELECT DISTINCT id, rank, name_key, word FROM scan_customer, "
    "unnest(string_to_array(name_key, ' ')) AS word WHERE length(word) >= :min_word"
)
# Each customer's RARE_WORDS rarest words (rarest: fewest customers use it).
_RARE = (
    "CREATE TEMPORARY TABLE scan_rare ON COMMIT DROP AS SELECT id, rank, name_key, word FROM ("
    "SELECT w.id, w.rank, w.name_key, w.word, row_number() OVER (PARTITION BY w.id "
    "ORDER BY f.uses, w.word) AS rarity FROM scan_word w JOIN (SELECT word, count(*) AS uses "
    "FROM scan_word GROUP BY word) AS f USING (word)) AS ranked WHERE rarity <= :rare"
)
# Within one name, customers in order of where they are: among a thousand namesakes, the
# window then pairs those of the same postal code and city rather than neighbours by id.
_PLACE = "coalesce(postal_key, '') || ' ' || coalesce(lower(address_city), '')"
# (family, key, order) per customer; `family` numbers the strong families first.
_POINTS = [
    "SELECT id, rank, 1, tax_id_key, name_key, name_key FROM scan_customer WHERE tax_id_key <> ''",
    "SELECT id, rank, 2, email, name_key, name_key FROM scan_customer WHERE email IS NOT NULL "
    "UNION SELECT id, rank, 2, email, name_key, name_key FROM scan_contact WHERE email IS NOT NULL",
    "SELECT id, rank, 3, phone_digits, name_key, name_key FROM scan_customer "
    "WHERE phone_digits IS NOT NULL UNION SELECT id, rank, 3, phone_digits, name_key, name_key "
    "FROM scan_contact WHERE phone_digits IS NOT NULL",
    "SELECT id, rank, 4, right(phone_digits, 8), name_key, name_key FROM ("
    "SELECT id, rank, phone_digits, name_key FROM scan_customer UNION "
    "SELECT id, rank, phone_digits, name_key FROM scan_contact) AS p "
    "WHERE length(phone_digits) >= 8",
    f"SELECT id, rank, 5, name_key, {_PLACE}, name_key FROM scan_customer WHERE name_key <> '' "  # noqa: S608
    f"UNION SELECT id, rank, 5, trade_name_key, {_PLACE}, name_key FROM scan_customer "
    "WHERE trade_name_key <> ''",
    f"SELECT id, rank, 6, '', name_key || ' ' || {_PLACE}, name_key FROM scan_customer "  # noqa: S608
    "WHERE name_key <> ''",
    f"SELECT id, rank, 7, '', reverse(name_key) || ' ' || {_PLACE}, name_key FROM scan_customer "  # noqa: S608
    "WHERE name_key <> ''",
    "SELECT id, rank, 8, postal_key || ' ' || left(name_key, 1), name_key, name_key "
    "FROM scan_customer WHERE postal_key <> '' AND name_key <> ''",
    "SELECT id, rank, 9, birth_date::text || ' ' || left(name_key, 1), name_key, name_key "
    "FROM scan_customer WHERE birth_date IS NOT NULL AND name_key <> ''",
    f"SELECT r1.id, r1.rank, 10, r1.word || ' ' || r2.word, {_PLACE} || ' ' || r1.name_key, "  # noqa: S608
    "r1.name_key FROM scan_rare r1 JOIN scan_rare r2 ON r2.id = r1.id AND r1.word < r2.word "
    "JOIN scan_customer c ON c.id = r1.id",
    # The words of the name in alphabetical order, within the postal code: swapped words.
    "SELECT id, rank, 11, postal_key, array_to_string(ARRAY(SELECT w FROM unnest(string_to_array("
    "name_key, ' ')) AS w ORDER BY w), ' '), name_key FROM scan_customer "
    "WHERE postal_key <> '' AND name_key <> ''",
]
_POINT_TABLE = (
    # Byte order (C) for the sort: the window pass needs neighbours, not a language's order.
    'CREATE TEMPORARY TABLE scan_point (id uuid, rank int, family smallint, key text COLLATE "C", '
    'ord text COLLATE "C", name_key text) ON COMMIT DROP'
)
_LEADS = ", ".join(f"lead(rank, {n}) OVER w AS n{n}, lead(name_key, {n}) OVER w AS k{n}"
                   for n in range(1, NAME_WINDOW + 1))  # fmt: skip
_NEXT = ", ".join(f"({n}, n{n}, k{n})" for n in range(1, NAME_WINDOW + 1))
_PAIRS = (
    "CREATE TEMPORARY TABLE scan_pair ON COMMIT DROP AS "  # noqa: S608 - fixed text
    "SELECT DISTINCT least(x.rank, v.other) AS a, greatest(x.rank, v.other) AS b FROM ("
    f"SELECT rank, family, name_key, {_LEADS} FROM scan_point "
    "WINDOW w AS (PARTITION BY family, key ORDER BY ord, id)) AS x "
    f"CROSS JOIN LATERAL (VALUES {_NEXT}) AS v (step, other, other_name) "
    "WHERE v.other IS NOT NULL AND v.other <> x.rank "
    "AND (x.family <= :strong AND v.step <= :window "
    "OR x.family > :strong AND similarity(x.name_key, v.other_name) >= "
    "CASE WHEN v.step <= :window THEN CAST(:similar AS real) ELSE CAST(:close AS real) END)"
)
# How many other customers bear each customer's name as theirs (legal or trade), capped.
_NAMESAKES = (
    "CREATE TEMPORARY TABLE scan_namesake ON COMMIT DROP AS "
    "SELECT c.rank, least(count(DISTINCT p.id), :cap) AS sharing FROM scan_customer c "
    "JOIN scan_point p ON p.family = 5 AND p.key = c.name_key AND p.id <> c.id "
    "GROUP BY c.rank"
)


async def build_pairs(session: AsyncSession) -> int:
    """Build the tenant's candidate pairs (temporary tables of the session's transaction);
    returns how many there are."""
    # The sorts and hashes of a million rows fit in memory with room to spare.
    await session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    await session.execute(text(_CUSTOMERS))
    await session.execute(text("CREATE INDEX ON scan_customer (id)"))
    await session.execute(text("CREATE INDEX ON scan_customer (rank)"))
    await session.execute(text(_CONTACT_POINTS))
    await session.execute(text(_WORDS), {"min_word": MIN_WORD})
    await session.execute(text(_RARE), {"rare": RARE_WORDS})
    await session.execute(text(_POINT_TABLE))
    for points in _POINTS:
        insert = "INSERT INTO scan_point (id, rank, family, key, ord, name_key) " + points
        await session.execute(text(insert))
    limits = {"strong": STRONG_FAMILIES, "similar": SIMILAR, "close": CLOSE, "window": WINDOW}
    await session.execute(text(_PAIRS), limits)
    await session.execute(text("CREATE INDEX ON scan_pair (a)"))
    await session.execute(text(_NAMESAKES), {"cap": NAMESAKE_CAP})
    await session.execute(text("CREATE INDEX ON scan_namesake (rank)"))
    for table in ("scan_customer", "scan_pair", "scan_namesake"):
        await session.execute(text(f"ANALYZE {table}"))
    return int(await session.scalar(text("SELECT count(*) FROM scan_pair")) or 0)


async def customer_count(session: AsyncSession) -> int:
    """How many customers the scan has (their ranks are 1 to that)."""
    return int(await session.scalar(text("SELECT count(*) FROM scan_customer")) or 0)


_ORDER_OF = "(coalesce(name_key, '') COLLATE \"C\", id)"


async def rank_after(session: AsyncSession, after: tuple[str, uuid.UUID] | None) -> int:
    """The rank of the first customer after `after` (a name key and id) in the scan's
    order: ranks change when customers come or go, the order they stand for does not."""
    if after is None:
        return 1
    stmt = (f"SELECT min(rank) FROM scan_customer WHERE {_ORDER_OF} > "  # noqa: S608
            "(CAST(:name AS text) COLLATE \"C\", CAST(:id AS uuid))")  # fmt: skip
    first = await session.scalar(text(stmt), {"name": after[0], "id": after[1]})
    return int(first) if first is not None else await customer_count(session) + 1


async def customer_at(session: AsyncSession, rank: int) -> tuple[str, uuid.UUID]:
    """The name key and id of the customer of `rank`: a checkpoint of the scan's order."""
    stmt = "SELECT coalesce(name_key, ''), id FROM scan_customer WHERE rank = :rank"
    name, customer_id = (await session.execute(text(stmt), {"rank": rank})).one()
    return name, customer_id


async def _driver(session: AsyncSession) -> Any:
    """The session's asyncpg connection: a chunk's tens of thousands of plain values are
    read without a result object per row."""
    connection = await session.connection()
    return (await connection.get_raw_connection()).driver_connection


_CHUNK_PAIRS = (
    "SELECT coalesce(array_agg(a), '{}'), coalesce(array_agg(b), '{}') FROM scan_pair "
    "WHERE a BETWEEN $1 AND $2"
)
_RECORD_ROWS = (
    f"SELECT c.rank, {', '.join('c.' + f for f in RECORD_FIELDS)}, "  # noqa: S608 - fixed text
    "coalesce(n.sharing, 1) FROM scan_customer c LEFT JOIN scan_namesake n ON n.rank = c.rank "
    "WHERE c.rank = ANY($1::int[])"
)


async def chunk_pairs(session: AsyncSession, first: int, last: int) -> tuple[list[int], list[int]]:
    """The pairs whose lower rank is within `first`..`last`, as two lists of ranks."""
    row = await (await _driver(session)).fetchrow(_CHUNK_PAIRS, first, last)
    return list(row[0]), list(row[1])


async def record_rows(session: AsyncSession, ranks: Sequence[int]) -> list[tuple[Any, ...]]:
    """The rows (chunk_scoring.ROW_FIELDS) of the customers of `ranks`."""
    if not ranks:
        return []
    return [tuple(row) for row in await (await _driver(session)).fetch(_RECORD_ROWS, ranks)]
