"""customerSearch: the best customers for what was typed, ranked, in at most three statements.

First every key of the query is looked up on its own btree range, each lookup bounded, and
the union is grouped per customer with its best score and the fields it matched on. When
that leaves the page short and the query has words, the words are looked up too: each one
is widened to the listed words it begins or resembles (the tenant's word list, a trigram
index), and names are matched word by word through a full-text index. Scores place every
exact key match (1.0) above every prefix match (0.6-0.9, more for a longer share of the
value) above every match by words (pg_trgm word similarity, at most 0.5).
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Float,
    Select,
    Text,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services.auth import service as auth
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.search.probe import MIN_QUERY, Probe, is_phone_like, probe
from clientbase.services.search.views import contact_search, customer_search, word_search

MAX_RESULTS = 20
# Rows taken from each lookup. Prefix lookups take them in key order, so the shortest
# (closest) values come first.
CANDIDATES = 40
EXACT, PREFIX, PREFIX_SPAN, SIMILAR = 1.0, 0.6, 0.3, 0.5
# A typed word stands for at most this many listed words it begins, and this many it
# resembles (pg_trgm similarity above pg_trgm.similarity_threshold, 0.3 by default).
WORDS_BEGUN, WORDS_RESEMBLED = 8, 4
MAX_WORDS = 6
# A literal, not a parameter: the lookups must spell the indexed expression exactly.
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


@dataclass
class Hit:
    customer: Customer
    matched_on: list[str]
    score: float


async def search_customers(
    session: AsyncSession, tenant_id: uuid.UUID, query: str, first: int = MAX_RESULTS
) -> list[Hit]:
    """The `first` best customers for `query`; none for fewer than three characters."""
    if first > MAX_RESULTS:
        raise problem("first", ErrorCode.LIMIT_EXCEEDED,
                      f"`first` is at most {MAX_RESULTS} in a search, got {first}.")  # fmt: skip
    if first < 0:
        raise problem("first", ErrorCode.INVALID, "`first` must not be negative.")
    if first == 0 or len(query.strip()) < MIN_QUERY:
        return []
    # Only a phone number needs the tenant's country: spare the other queries its lookup.
    country = await auth.default_country(session, tenant_id) if is_phone_like(query) else None
    found = probe(query, country)
    if found is None or found.empty:
        return []
    hits = await _hits(session, key_lookups(found), first)
    if found.name and len(hits) < first:
        groups = await _word_groups(session, found.name.split()[:MAX_WORDS])
        if groups:
            more = await _hits(session, word_lookups(found.name, groups), first)
            for customer_id, hit in more.items():
                hits[customer_id] = _merged(hits.get(customer_id), hit)
    ranked = sorted(hits.values(), key=lambda h: (-h.score, h.customer.legal_name, h.customer.id))
    return ranked[:first]


def statement(lookups: list[Select[Any]], first: int) -> Select[Any]:
    """Customer rows with their best score and matched fields, from the lookups' union."""
    hits = union_all(*lookups).cte("hits")
    fields = (
        select(hits.c.customer_id, hits.c.field, func.max(hits.c.score).label("score"))
        .group_by(hits.c.customer_id, hits.c.field)
        .cte("fields")
    )
    matched = aggregate_order_by(fields.c.field, fields.c.score.desc(), fields.c.field)
    best = (
        select(fields.c.customer_id, func.max(fields.c.score).label("score"),
               func.array_agg(matched).label("matched"))
        .group_by(fields.c.customer_id)
        .cte("best")
    )  # fmt: skip
    return (
        select(Customer, best.c.score, best.c.matched)
        .join(best, best.c.customer_id == Customer.id)
        .where(Customer.status != CustomerStatus.MERGED.value)
        .order_by(best.c.score.desc(), Customer.legal_name, Customer.id)
        .limit(first)
    )


async def _hits(session: AsyncSession, lookups: list[Select[Any]], first: int) -> dict[Any, Hit]:
    rows = (await session.execute(statement(lookups, first))).all()
    return {row[0].id: Hit(row[0], list(row.matched), row.score) for row in rows}


def _merged(old: Hit | None, new: Hit) -> Hit:
    if old is None:
        return new
    fields = old.matched_on + [f for f in new.matched_on if f not in old.matched_on]
    return Hit(old.customer, fields, max(old.score, new.score))


def _value(value: str) -> ColumnElement[str]:
    return literal(value, Text)


def _successor(prefix: str) -> str | None:
    """The first string after every string that starts with `prefix`, in byte order."""
    following = ord(prefix[-1]) + 1
    if following > sys.maxunicode:
        return None
    if 0xD800 <= following <= 0xDFFF:  # surrogates never occur in stored text
        following = 0xE000
    return prefix[:-1] + chr(following)


def _starting(column: Any, prefix: str) -> list[ColumnElement[bool]]:
    """`column` starts with `prefix`, as a range of a byte-ordered index (`>=`, `<`): it
    serves with the bounds as parameters, so a cached generic plan can use it too."""
    upper = _successor(prefix)
    return [column >= _value(prefix), *([column < _value(upper)] if upper else [])]


def _prefix(column: Any, prefix: str, owner: Any, field: str) -> Select[Any]:
    """Rows whose `column` starts with `prefix`, closest first."""
    share = len(prefix) / func.greatest(func.length(column), 1)
    score = case((column == _value(prefix), EXACT), else_=PREFIX + PREFIX_SPAN * share)
    return (
        select(owner.label("customer_id"), literal(field).label("field"),
               cast(score, Float).label("score"))
        .where(*_starting(column, prefix))
        .order_by(column)
        .limit(CANDIDATES)
    )  # fmt: skip


def key_lookups(found: Probe) -> list[Select[Any]]:
    cs, ct = customer_search.c, contact_search.c
    lookups = []
    if found.name:
        lookups += [_prefix(cs.name_key, found.name, cs.id, "legalName"),
                    _prefix(cs.trade_name_key, found.name, cs.id, "tradeName"),
                    _prefix(ct.name_key, found.name, ct.customer_id, "contactName")]  # fmt: skip
    if found.code:
        lookups.append(_prefix(cs.code_key, found.code, cs.id, "code"))
    for tax_id in found.tax_ids:
        lookups.append(_prefix(cs.tax_id_key, tax_id, cs.id, "taxId"))
    phones = [(cs.phone_digits, ct.phone_digits, digits) for digits in found.phone_prefixes]
    if found.phone_suffix:
        phones.append((cs.phone_digits_reversed, ct.phone_digits_reversed, found.phone_suffix))
    for own, contacts, value in phones:
        lookups += [_prefix(own, value, cs.id, "phone"),
                    _prefix(contacts, value, ct.customer_id, "contactPhone")]  # fmt: skip
    if found.email:
        lookups += [_prefix(cs.email, found.email, cs.id, "email"),
                    _prefix(ct.email, found.email, ct.customer_id, "contactEmail")]  # fmt: skip
    return lookups


def word_choices(words: list[str]) -> CompoundSelect[Any] | None:
    """(index of a typed word, a listed word it begins or resembles), for each typed word."""
    word = word_search.c.word
    choices = []
    for index, typed in enumerate(w for w in words if len(w) >= MIN_QUERY):
        begun = select(literal(index).label("i"), word).where(*_starting(word, typed))
        resembled = select(literal(index).label("i"), word).where(word.op("%")(_value(typed)))
        choices += [
            begun.order_by(word).limit(WORDS_BEGUN),
            resembled.order_by(func.similarity(word, _value(typed)).desc()).limit(WORDS_RESEMBLED),
        ]
    return union_all(*choices) if choices else None


async def _word_groups(session: AsyncSession, words: list[str]) -> list[list[str]]:
    """For each typed word, the listed words that stand for it; words with none drop out."""
    choices = word_choices(words)
    if choices is None:
        return []
    groups: dict[int, set[str]] = {}
    for index, listed in await session.execute(choices):
        groups.setdefault(index, set()).add(listed)
    return [sorted(groups[index]) for index in sorted(groups)]


def word_lookups(key: str, groups: list[list[str]]) -> list[Select[Any]]:
    """Names that have, for every typed word, one of the listed words that stand for it."""
    # Listed words are letters and digits only (name keys are folded), safe as lexemes.
    terms = " & ".join("(" + " | ".join(f"'{word}'" for word in group) + ")" for group in groups)
    query = func.to_tsquery(_SIMPLE, _value(terms))
    cs, ct = customer_search.c, contact_search.c

    def lookup(column: Any, owner: Any, field: str) -> Select[Any]:
        score = SIMILAR * func.word_similarity(_value(key), column)
        return (
            select(owner.label("customer_id"), literal(field).label("field"),
                   cast(score, Float).label("score"))
            .where(func.to_tsvector(_SIMPLE, column).op("@@")(query))
            .limit(CANDIDATES)
        )  # fmt: skip

    return [lookup(cs.name_key, cs.id, "legalName"), lookup(cs.trade_name_key, cs.id, "tradeName"),
            lookup(ct.name_key, ct.customer_id, "contactName")]  # fmt: skip
