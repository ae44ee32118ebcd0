"""Spreadsheet formula injection: the escape exports apply to cells and imports undo.

A spreadsheet program reads a cell that starts with = + - @ (or tab, carriage return, NUL)
as a formula, so a customer named "=HYPERLINK(...)" could run in whoever opens the export.
Such cells get a leading apostrophe, which spreadsheets treat as "this is text". A value
that already starts with apostrophes before one of those characters gets one more, so the
import can strip exactly one and every value comes back as it was.
"""

from __future__ import annotations

TRIGGERS = frozenset("=+-@\t\r\x00")
PREFIX = "'"
# The same test as a PostgreSQL string literal, for exports that never leave SQL (text
# cannot hold NUL there). A bracket expression takes no escapes, so "-" comes first.
SQL_PATTERN = r"E'^''*[-=+@\t\r]'"


def _triggers(value: str) -> bool:
    rest = value.lstrip(PREFIX)
    return bool(rest) and rest[0] in TRIGGERS


def escape(value: str) -> str:
    """The value with a leading apostrophe when a spreadsheet could read it as a formula."""
    return PREFIX + value if _triggers(value) else value


def escape_text_cell(value: str) -> str:
    """For cells stored as text (XLSX string cells), which are never formulas: only values
    that already start with an apostrophe get one more, to come back whole via `unescape`."""
    return PREFIX + value if value.startswith(PREFIX) and _triggers(value) else value


def unescape(value: str) -> str:
    """The value before `escape`: one apostrophe fewer for values that start with an
    apostrophe before a formula character; any other value unchanged."""
    return value[1:] if value.startswith(PREFIX) and _triggers(value) else value
