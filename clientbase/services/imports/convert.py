"""Cell text to typed values, for the few fields that are not text: dates, flags, enums.

Each converter raises ValueError with the message the row error shows. Dates are read
day first (DD/MM/YYYY), as written in Portuguese and Spanish; ISO dates always work.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

Converter = Callable[[str], Any]

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_TRUE = frozenset({"true", "yes", "y", "1", "x", "sim", "s", "si", "verdadeiro", "verdadero"})
_FALSE = frozenset({"false", "no", "n", "0", "nao", "falso"})


def fold(text: str) -> str:
    """Lower case without accents: the form headers and flag words are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def as_text(cell: str) -> str | None:
    return cell if cell.strip() else None


def as_date(cell: str) -> dt.date | None:
    text = cell.strip()
    if not text:
        return None
    try:
        # XLSX datetimes arrive as "YYYY-MM-DDTHH:MM:SS"; the day is what counts.
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _DAY_FIRST.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a valid date.") from exc
    raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD or DD/MM/YYYY.")


def as_bool(cell: str) -> bool | None:
    text = fold(cell.strip())
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{cell.strip()!r} is not yes or no.")


def as_enum(aliases: Mapping[str, str]) -> Converter:
    """Upper-cased text, with local words for the values (the service checks the result)."""

    def convert(cell: str) -> str | None:
        text = cell.strip()
        if not text:
            return None
        return aliases.get(fold(text), text.upper())

    return convert
