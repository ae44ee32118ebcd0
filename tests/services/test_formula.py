"""The formula escape: what is escaped, and that the import's unescape gives every value back."""

from __future__ import annotations

import pytest

from clientbase.services.formula import escape, escape_text_cell, unescape

VALUES = ["=1+1", "+5511987654321", "-3", "@SUM(A1)", "\tx", "\rx", "\x00x", "'=x", "''+x",
          "'", "''", "'plain", "plain", "", "a=b", " =x", "O'Brien"]  # fmt: skip


@pytest.mark.parametrize("value", VALUES)
def test_escaped_values_come_back_whole(value: str) -> None:
    assert unescape(escape(value)) == value
    assert unescape(escape_text_cell(value)) == value


def test_what_gets_an_apostrophe() -> None:
    assert [escape(v) for v in ("=1", "+1", "-1", "@a", "\t1", "\r1", "\x001")] == [
        "'=1", "'+1", "'-1", "'@a", "'\t1", "'\r1", "'\x001"]  # fmt: skip
    assert [escape(v) for v in ("a=1", " =1", "'a", "", "1-2")] == ["a=1", " =1", "'a", "", "1-2"]
    assert escape("'=1") == "''=1"
    # Text cells are never formulas: only the apostrophe case needs one more.
    assert escape_text_cell("=1") == "=1" and escape_text_cell("'=1") == "''=1"
    assert unescape("'plain") == "'plain" and unescape("'+55") == "+55"
