"""CSV files: encoding and delimiter detected, a strict first pass for structure, then rows.

The first pass parses the whole file once before any row is written, so an unterminated
quote (which swallows the rest of the file) or undecodable bytes fail the job cleanly
instead of after half of it has been committed. It also counts the rows for progress.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from clientbase.services.formula import unescape
from clientbase.services.imports.problems import FileProblem, ImportFileError
from clientbase.services.imports.sniff import detect_delimiter, detect_encoding, head_text
from clientbase.services.imports.spool import HEAD_BYTES, Spooled
from clientbase.services.imports.table import (
    RawRow,
    Table,
    clean_headers,
    no_data_check,
    shape_issues,
)

# Python's default (131,072) refuses long but legitimate fields; past this bound a field
# is almost surely an unterminated quote, and memory stays bounded.
MAX_FIELD_CHARS = 1_048_576
csv.field_size_limit(MAX_FIELD_CHARS)


def _open(path: Path, encoding: str) -> TextIO:
    return path.open(encoding=encoding, newline="", errors="strict")


def _records(stream: TextIO, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        hint = ""
        if "end of data" in str(exc) or "field larger" in str(exc):
            hint = " (probably a quote that is never closed)"
        raise ImportFileError(
            FileProblem.MALFORMED, f"Line {reader.line_num}: {exc}{hint}."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            FileProblem.ENCODING, f"Line {reader.line_num}: the text cannot be decoded ({exc})."
        ) from exc


def open_csv(spooled: Spooled) -> Table:
    encoding = detect_encoding(spooled)
    delimiter = detect_delimiter(head_text(spooled, encoding), whole=spooled.size <= HEAD_BYTES)
    path = spooled.path
    with _open(path, encoding) as stream:
        records = _records(stream, delimiter)
        header: list[str] | None = next((r for r in records if any(c.strip() for c in r)), None)
        if header is None:
            raise ImportFileError(FileProblem.EMPTY, "The file has no rows.")
        headers = clean_headers(header)
        total = sum(1 for _ in records)
    no_data_check(total)

    def rows(skip: int) -> Iterator[RawRow]:
        with _open(path, encoding) as stream:
            records = _records(stream, delimiter)
            number = 0
            for cells in records:
                number += 1
                if any(c.strip() for c in cells):
                    break  # the header
            for index, cells in enumerate(records):
                number += 1
                if index < skip:
                    continue
                # An export's formula escape ('=...) is taken off again.
                cells = [unescape(cell) for cell in cells]
                yield RawRow(number, cells, shape_issues(cells, headers))

    names = {",": "comma", ";": "semicolon", "\t": "tab"}
    return Table("CSV", headers, total, rows, {"encoding": encoding,
                                               "delimiter": names[delimiter]})  # fmt: skip
