"""The typeahead's SQL, built once per shape and cached: the values travel as parameters.

A search runs one of a few dozen statement shapes (which keys the query has), so building
and compiling each one once saves most of a search's Python time, and the database sees
the same prepared statements again and again.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from clientbase.models.customer import Customer, CustomerStatus
from clientbase.services.search.views import contact_search, customer_search, word_search

# Rows taken from each lookup. Prefix lookups take them in key order, so the shortest
# (closest) values come first.
CANDIDATES = 40
EXACT, PREFIX, PREFIX_SPAN, SIMILAR = 1.0, 0.6, 0.3, 0.5
# A typed word stands for at most this many listed words it begins, and this many it
# resembles (pg_trgm similarity above pg_trgm.similarity_threshold, 0.3 by default).
WORDS_BEGUN, WORDS_RESEMBLED = 8, 4
# A literal, not a parameter: the lookups must spell the indexed expression exactly.
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")

_cs, _ct = customer_search.c, contact_search.c
# Where each lookup looks, and whose customer a row found there is.
SOURCES: dict[str, tuple[Any, Any]] = {
    "customer.name_key": (_cs.name_key, _cs.id),
    "customer.trade_name_key": (_cs.trade_name_key, _cs.id),
    "customer.code_key": (_cs.code_key, _cs.id),
    "customer.tax_id_key": (_cs.tax_id_key, _cs.id),
    "customer.phone_digits": (_cs.phone_digits, _cs.id),
    "customer.phone_digits_reversed": (_cs.phone_digits_reversed, _cs.id),
    "customer.email": (_cs.email, _cs.id),
    "contact.name_key": (_ct.name_key, _ct.customer_id),
    "contact.phone_digits": (_ct.phone_digits, _ct.customer_id),
    "contact.phone_digits_reversed": (_ct.phone_digits_reversed, _ct.customer_id),
    "contact.email": (_ct.email, _ct.customer_id),
}


@dataclass(frozen=True)
class Lookup:
    """One lookup of a search: `prefix` of a key (bounded above unless the prefix ends in
    the last code point), or `words` of a name; `field` is what a hit says it matched."""

    kind: str
    source: str
    field: str
    bounded: bool = True


def successor(prefix: str) -> str | None:
    """The first string after every string that starts with `prefix`, in byte order."""
    following = ord(prefix[-1]) + 1
    if following > sys.maxunicode:
        return None
    if 0xD800 <= following <= 0xDFFF:  # surrogates never occur in stored text
        following = 0xE000
    return prefix[:-1] + chr(following)


def prefix_parameters(index: int, prefix: str) -> dict[str, Any]:
    """The parameters of the `index`th lookup, a `prefix` one."""
    return {f"lo{index}": prefix, f"hi{index}": successor(prefix), f"n{index}": len(prefix)}


def _starting(column: Any, lower: Any, upper: Any | None) -> list[ColumnElement[bool]]:
    """`column` starts with the prefix `lower`, as a range of a byte-ordered index (`>=`,
    `<`): unlike `^@` or LIKE it serves with the bounds as parameters, in a generic plan."""
    return [column >= lower, *([column < upper] if upper is not None else [])]


def _text(name: str) -> Any:
    return bindparam(name, type_=Text)


def _prefix(index: int, lookup: Lookup) -> Select[Any]:
    column, owner = SOURCES[lookup.source]
    lower, upper = _text(f"lo{index}"), _text(f"hi{index}") if lookup.bounded else None
    share = cast(bindparam(f"n{index}", type_=Integer), Float) / func.greatest(
        func.length(column), 1
    )
    score = case((column == lower, EXACT), else_=PREFIX + PREFIX_SPAN * share)
    return (
        select(owner.label("customer_id"), literal(lookup.field).label("field"),
               cast(score, Float).label("score"))
        .where(*_starting(column, lower, upper))
        .order_by(column)
        .limit(CANDIDATES)
    )  # fmt: skip


def _words(lookup: Lookup) -> Select[Any]:
    """Names having every typed word (parameter `terms`, a tsquery of the listed words that
    stand for them), scored by their word similarity to the typed key (parameter `key`)."""
    column, owner = SOURCES[lookup.source]
    score = SIMILAR * func.word_similarity(_text("key"), column)
    terms = func.to_tsquery(_SIMPLE, _text("terms"))
    return (
        select(owner.label("customer_id"), literal(lookup.field).label("field"),
               cast(score, Float).label("score"))
        .where(func.to_tsvector(_SIMPLE, column).op("@@")(terms))
        .limit(CANDIDATES)
    )  # fmt: skip


@lru_cache(maxsize=256)
def ranked(lookups: tuple[Lookup, ...]) -> Select[Any]:
    """Customer rows with their best score and the fields they matched on, best first, from
    the union of `lookups`; parameter `first` limits them."""
    parts = [_prefix(i, lookup) if lookup.kind == "prefix" else _words(lookup)
             for i, lookup in enumerate(lookups)]  # fmt: skip
    hits = union_all(*parts).cte("hits")
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
        .limit(bindparam("first", type_=Integer))
    )


@lru_cache(maxsize=16)
def word_choices(count: int) -> CompoundSelect[Any]:
    """(i, a listed word) for the listed words that typed word i (parameters `w{i}`, and
    `u{i}` its successor) begins or resembles, for i below `count`."""
    word = word_search.c.word
    choices = []
    for i in range(count):
        typed = _text(f"w{i}")
        begun = select(literal(i).label("i"), word).where(*_starting(word, typed, _text(f"u{i}")))
        resembled = select(literal(i).label("i"), word).where(word.op("%")(typed))
        choices += [
            begun.order_by(word).limit(WORDS_BEGUN),
            resembled.order_by(func.similarity(word, typed).desc()).limit(WORDS_RESEMBLED),
        ]
    return union_all(*choices)
