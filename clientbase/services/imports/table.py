"""The shape every reader gives a file: headers, a row count, and rows from any position."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from clientbase.services.imports.problems import FileProblem, ImportFileError, RowCode, RowIssue


@dataclass
class RawRow:
    """One record as read: `number` counts records from 1 with the header as record 1, so
    the first data row is 2, as a spreadsheet shows it."""

    number: int
    cells: list[str]
    issues: list[RowIssue] = field(default_factory=list)


@dataclass
class Table:
    format: str
    headers: list[str]
    # Data records, blank ones included, as counted by the reader's first pass.
    total: int
    # rows(skip) reads the data records after the first `skip` of them (a resumed job).
    rows: Callable[[int], Iterator[RawRow]]
    detail: dict[str, str] = field(default_factory=dict)


def clean_headers(cells: list[str]) -> list[str]:
    """Trimmed header cells; trailing empty ones dropped (spreadsheets export them), any
    other empty one is a file error."""
    headers = [cell.replace("\ufeff", "").strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ImportFileError(FileProblem.NO_DATA, "The file has no header row.")
    for index, name in enumerate(headers, start=1):
        if not name:
            raise ImportFileError(FileProblem.MALFORMED, f"Column {index} has no header.")
    return headers


def shape_issues(cells: list[str], headers: list[str]) -> list[RowIssue]:
    """Ragged rows and NUL characters, which PostgreSQL text cannot hold. Extra cells that
    are empty are tolerated (trailing delimiters); missing cells are not, since a row cut
    short usually means a line broken in two."""
    width = len(headers)
    if len(cells) == width and "\x00" not in "".join(cells):
        return []  # the usual row, found at the cost of one join
    issues = []
    if len(cells) < width or any(cell.strip() for cell in cells[width:]):
        message = f"The row has {len(cells)} cells; the header has {width}."
        issues.append(RowIssue(None, RowCode.RAGGED, message))
    if "\x00" not in "".join(cells):
        return issues
    for index, cell in enumerate(cells[:width]):
        if "\x00" in cell:
            issues.append(RowIssue(headers[index], RowCode.NUL,
                                   "The cell contains a NUL character."))  # fmt: skip
    return issues


def is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def no_data_check(total: int) -> None:
    if total == 0:
        raise ImportFileError(FileProblem.NO_DATA, "The file has a header but no data rows.")


RowSource = Callable[[int], Iterator[RawRow]]
