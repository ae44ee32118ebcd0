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

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer
from clientbase.services.auth import service as auth
from clientbase.services.errors import ErrorCode, problem
from clientbase.services.search import statements
from clientbase.services.search.probe import MIN_QUERY, Probe, is_phone_like, probe
from clientbase.services.search.statements import Lookup, prefix_parameters, successor

MAX_RESULTS = 20
MAX_WORDS = 6

Parameters = dict[str, Any]
# The select list runs left to right: the setting is read before it is changed.
_GENERIC_PLANS = text(
    "SELECT current_setting('plan_cache_mode'), "
    "set_config('plan_cache_mode', 'force_generic_plan', true)"
)
_PLANS = text("SELECT set_config('plan_cache_mode', :mode, true)")


@asynccontextmanager
async def generic_plans(session: AsyncSession) -> AsyncIterator[None]:
    """Within the block, statements are planned once per connection: lookups whose plans
    hardly depend on the values, and whose planning costs more than their run. Set for
    this transaction only and put back after; a failure rolls it back with the transaction."""
    previous = await session.scalar(_GENERIC_PLANS)
    yield
    await session.execute(_PLANS, {"mode": previous})


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
    async with generic_plans(session):
        hits = await _hits(session, *key_lookups(found), first)
        if found.name and len(hits) < first:
            groups = await word_groups(session, found.name.split()[:MAX_WORDS])
            more = await _hits(session, *word_lookups(found.name, groups), first) if groups else {}
            if not more and len(groups) > 1:
                # One word may be mistyped past recognition ("eirli" for the legal form, "dais"
                # read as "davis"): then names with all the other words will do.
                more = await _hits(session, *word_lookups(found.name, groups, missing=1), first)
            for customer_id, hit in more.items():
                hits[customer_id] = _merged(hits.get(customer_id), hit)
    ranked = sorted(hits.values(), key=lambda h: (-h.score, h.customer.legal_name, h.customer.id))
    return ranked[:first]


def key_lookups(found: Probe) -> tuple[tuple[Lookup, ...], Parameters]:
    """The prefix lookups of every key of the query, and their parameters."""
    keys: list[tuple[str, str, str]] = []  # (source, field, prefix)
    if found.name:
        keys += [("customer.name_key", "legalName", found.name),
                 ("customer.trade_name_key", "tradeName", found.name),
                 ("contact.name_key", "contactName", found.name)]  # fmt: skip
    if found.code:
        keys.append(("customer.code_key", "code", found.code))
    keys += [("customer.tax_id_key", "taxId", tax_id) for tax_id in found.tax_ids]
    phones = [("phone_digits", digits) for digits in found.phone_prefixes]
    if found.phone_suffix:
        phones.append(("phone_digits_reversed", found.phone_suffix))
    for column, digits in phones:
        keys += [(f"customer.{column}", "phone", digits),
                 (f"contact.{column}", "contactPhone", digits)]  # fmt: skip
    if found.email:
        keys += [("customer.email", "email", found.email),
                 ("contact.email", "contactEmail", found.email)]  # fmt: skip
    lookups, parameters = [], {}
    for index, (source, field, prefix) in enumerate(keys):
        bounded = successor(prefix) is not None
        lookups.append(Lookup("prefix", source, field, bounded))
        parameters.update(prefix_parameters(index, prefix))
    return tuple(lookups), parameters


def word_lookups(
    key: str, groups: list[list[str]], missing: int = 0
) -> tuple[tuple[Lookup, ...], Parameters]:
    """Names that have, for every typed word but `missing` of them (0 or 1), one of the
    listed words that stand for it."""
    # Listed words are letters and digits only (name keys are folded): safe as lexemes.
    alternatives = ["(" + " | ".join(f"'{word}'" for word in group) + ")" for group in groups]
    if missing:
        kept = [alternatives[:i] + alternatives[i + 1 :] for i in range(len(alternatives))]
        terms = " | ".join("(" + " & ".join(some) + ")" for some in kept)
    else:
        terms = " & ".join(alternatives)
    lookups = (Lookup("words", "customer.name_key", "legalName"),
               Lookup("words", "customer.trade_name_key", "tradeName"),
               Lookup("words", "contact.name_key", "contactName"))  # fmt: skip
    return lookups, {"terms": terms, "key": key}


async def word_groups(session: AsyncSession, words: list[str]) -> list[list[str]]:
    """For each typed word, the listed words it begins or resembles; words with none drop."""
    typed = [w for w in words if len(w) >= MIN_QUERY and successor(w) is not None]
    if not typed:
        return []
    parameters: Parameters = {}
    for index, word in enumerate(typed):
        parameters.update({f"w{index}": word, f"u{index}": successor(word)})
    groups: dict[int, set[str]] = {}
    for index, listed in await session.execute(statements.word_choices(len(typed)), parameters):
        groups.setdefault(index, set()).add(listed)
    return [sorted(groups[index]) for index in sorted(groups)]


async def _hits(
    session: AsyncSession, lookups: tuple[Lookup, ...], parameters: Parameters, first: int
) -> dict[Any, Hit]:
    stmt = statements.ranked(lookups)
    rows = (await session.execute(stmt, {**parameters, "first": first})).all()
    return {row[0].id: Hit(row[0], list(row.matched), row.score) for row in rows}


def _merged(old: Hit | None, new: Hit) -> Hit:
    if old is None:
        return new
    fields = old.matched_on + [f for f in new.matched_on if f not in old.matched_on]
    return Hit(old.customer, fields, max(old.score, new.score))
