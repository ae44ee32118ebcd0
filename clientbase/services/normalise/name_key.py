"""Match keys for customer names: case, accents, punctuation and legal forms ignored.

Accents are dropped rather than transliterated ("Müller" -> "muller", not "mueller"),
the same rule for every language, so a name typed without the accent still matches.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from clientbase.services.normalise.common import CACHED_VALUES

# Letters NFKD does not decompose into a base letter plus marks (ß is casefolded to ss).
_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}
)
# Apostrophes join rather than split, so "D'Ávila" matches "Dávila" and "McDonald's"
# matches "McDonalds".
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")

# Legal forms, written without separators: a tail of short tokens that joins to one of
# these is a form spelled with dots, slashes or blanks ("S.A.", "S/A", "s a", "S.A. de C.V.").
_LEGAL_FORMS = frozenset(
    {
        # Portuguese (BR, PT)
        "ltda", "lda", "me", "mei", "epp", "eireli", "sa", "slu", "cia", "ecia",
        # Spanish (ES, MX, AR)
        "sl", "sau", "slne", "sll", "srl", "scoop", "ycia",
        "sadecv", "sderl", "sderldecv", "sapidecv", "sabdecv",
        # French, Italian
        "sas", "sasu", "sarl", "eurl", "snc", "cie", "etcie", "spa", "srls",
        # German, Dutch
        "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "gbr", "ek", "ev", "undco",
        "haftungsbeschrankt", "bv", "nv",
        # English
        "inc", "llc", "llp", "ltd", "limited", "co", "andco", "corp", "corporation",
        "incorporated", "plc", "pty",
    }
)  # fmt: skip
_MAX_FORM_TOKENS = 7  # "s de r l de c v"
_MAX_ABBREVIATION_TOKEN = 3  # longer tokens are words, never pieces of a spelled-out form


@functools.lru_cache(maxsize=CACHED_VALUES)
def name_key(name: str) -> str:
    """The match key of a customer name, e.g. "Padaria São João Ltda." -> "padaria sao joao".

    Legal forms are removed from the end only, repeatedly ("& Cia. Ltda.", "GmbH & Co.
    KG"); in the middle they are too often words ("Spa", "Co"). A name that is nothing but
    legal forms ("SA", "Ltda ME") keeps its whole folded spelling instead of becoming empty.
    A trailing word that spells a form goes too ("Padaria Sá" -> "padaria"): the clash is
    rare and accepted.
    """
    tokens = _fold(name)
    return " ".join(_strip_legal_forms(tokens) or tokens)


def name_tokens(name: str) -> list[str]:
    """The tokens of `name_key(name)`, for blocking candidate duplicates."""
    return name_key(name).split()


def fold_words(text: str) -> list[str]:
    """The words of `text` folded as in a name key, legal forms kept: for person names
    ("Ana Sá" keeps "sa") and addresses."""
    return _fold(text)


def _fold(name: str) -> list[str]:
    text = _APOSTROPHES.sub("", name)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # Casefold after NFKD: compatibility forms (black-letter H, U+210C) decompose to capitals.
    text = text.casefold().translate(_LETTERS)
    # '&' and all other punctuation separate words.
    return "".join(ch if ch.isalnum() else " " for ch in text).split()


def _strip_legal_forms(tokens: list[str]) -> list[str]:
    end = len(tokens)
    while end > 0:
        for size in range(min(_MAX_FORM_TOKENS, end), 0, -1):
            tail = tokens[end - size : end]
            if size > 1 and any(len(t) > _MAX_ABBREVIATION_TOKEN for t in tail):
                continue
            if "".join(tail) in _LEGAL_FORMS:
                end -= size
                break
        else:
            break
    return tokens[:end]
