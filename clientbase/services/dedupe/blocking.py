"""Blocking keys: which stored keys a record is looked up by, so that it is compared with
tens of customers instead of the whole tenant. Pure; `repository` runs the lookups.

Keys, each an index lookup bounded by its own limit: the tax id, e-mails and phones (exact,
customers' and contacts'), the phones' last digits, both names exactly (legal and trade,
crosswise), the names next to it in key order (sorted neighbourhood: a typo near the end),
names with all its words or all but one (reordered, dropped, added or misspelt words), and
the name initial within the same postal code or the same birth date (a misspelt first word).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clientbase.services.dedupe.record import MatchRecord
from clientbase.services.search.statements import successor

MIN_WORD = 2  # single letters (initials) are too common to look up
MAX_WORDS = 6
TAIL_DIGITS = 8
# A word list lookup of all words but one needs three words: with two it is one word alone.
LOOSE_FROM = 3


@dataclass(frozen=True)
class BlockingKeys:
    name: str | None
    trade_name: str | None
    tax_id: str | None
    words: str | None  # a tsquery: every word
    loose_words: str | None  # a tsquery: every word but one
    postal_code: str | None
    birth_date: dt.date | None
    initial: str | None  # the name's first letter, and the successor that bounds its range
    initial_end: str | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    phone_tails: tuple[str, ...]  # reversed last digits, a prefix of the reversed stored ones


def _words(name: str) -> list[str]:
    # Name keys are folded to letters and digits: safe as tsquery lexemes.
    return [w for w in dict.fromkeys(name.split()) if len(w) >= MIN_WORD][:MAX_WORDS]


def keys(record: MatchRecord) -> BlockingKeys:
    words = _words(record.name)
    loose = None
    if len(words) >= LOOSE_FROM:
        loose = " | ".join(
            "(" + " & ".join(w for j, w in enumerate(words) if j != i) + ")"
            for i in range(len(words))
        )
    initial = record.name[:1] or None
    phones = sorted(record.phones | record.contact_phones)
    tails = sorted({p[-TAIL_DIGITS:][::-1] for p in phones if len(p) >= TAIL_DIGITS})
    return BlockingKeys(
        name=record.name or None,
        trade_name=record.trade_name or None,
        tax_id=record.tax_id or None,
        words=" & ".join(words) if words else None,
        loose_words=loose,
        postal_code=record.postal_code or None,
        birth_date=record.birth_date,
        initial=initial,
        initial_end=successor(initial) if initial else None,
        emails=tuple(sorted(record.emails | record.contact_emails)),
        phones=tuple(phones),
        phone_tails=tuple(tails),
    )
