"""JSON Lines: one object per line; the first object's keys are the columns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from clientbase.services.imports.problems import FileProblem, ImportFileError, RowCode, RowIssue
from clientbase.services.imports.sniff import detect_encoding
from clientbase.services.imports.spool import Spooled
from clientbase.services.imports.table import RawRow, Table, no_data_check


def _text(value: Any) -> str | None:
    """Scalars as the text a CSV cell would hold; None for nested values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _parse(line: str, number: int, headers: list[str]) -> RawRow:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return RawRow(number, [], [RowIssue(None, RowCode.MALFORMED, f"Not JSON: {exc.msg}.")])
    if not isinstance(item, dict):
        return RawRow(number, [], [RowIssue(None, RowCode.MALFORMED, "Not a JSON object.")])
    issues = [RowIssue(key, RowCode.RAGGED, f"`{key}` is not a column of the first line.")
              for key in item if key not in headers]  # fmt: skip
    cells = []
    for header in headers:
        text = _text(item.get(header))
        if text is None:
            issues.append(RowIssue(header, RowCode.MALFORMED, "Nested values are not imported."))
            text = ""
        elif "\x00" in text:
            issues.append(RowIssue(header, RowCode.NUL, "The cell contains a NUL character."))
        cells.append(text)
    return RawRow(number, cells, issues)


def open_jsonl(spooled: Spooled) -> Table:
    path = spooled.path
    encoding = detect_encoding(spooled)
    headers: list[str] | None = None
    total = 0
    try:
        with path.open(encoding=encoding) as stream:
            for line in stream:
                if not line.strip():
                    continue
                if headers is None:
                    first = json.loads(line)
                    if not isinstance(first, dict) or not first:
                        message = "The first line is not a JSON object with keys."
                        raise ImportFileError(FileProblem.MALFORMED, message)
                    headers = [str(key).strip() for key in first]
                total += 1
    except UnicodeDecodeError as exc:
        raise ImportFileError(FileProblem.ENCODING, f"The text cannot be decoded ({exc}).") from exc
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            FileProblem.MALFORMED, f"The first line is not JSON: {exc.msg}."
        ) from exc
    if headers is None:
        raise ImportFileError(FileProblem.EMPTY, "The file has no rows.")
    no_data_check(total)
    columns = headers

    def rows(skip: int) -> Iterator[RawRow]:
        # Every object is a data row (no header line): numbers start at 2 like the others.
        index = 0
        with path.open(encoding=encoding) as stream:
            for line in stream:
                if not line.strip():
                    continue
                index += 1
                if index <= skip:
                    continue
                yield _parse(line, index + 1, columns)

    return Table("JSONL", headers, total, rows, {"encoding": encoding})
