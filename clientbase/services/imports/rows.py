"""A row on its way through an import, and how waves keep set-based writes sequential.

Rows of one chunk are written by a few set-based statements. When two rows of a chunk
touch the same key (the same customer code twice, two primary contacts of one customer)
a single statement cannot apply both in file order, so the later row goes to the next
wave, applied after the first in the same transaction: the result is the one applying
the rows one by one would give.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clientbase.services.errors import DomainError
from clientbase.services.imports.mapping import ColumnMapping
from clientbase.services.imports.problems import RowIssue
from clientbase.services.normalise import NormalisationError


@dataclass
class Row:
    number: int
    raw: list[str]
    # Field -> typed value, for the mapped fields only (None for an empty cell).
    values: dict[str, Any]
    issues: list[RowIssue] = field(default_factory=list)
    # The service-shaped columns this row sets (normalised), and its relations' ids.
    data: dict[str, Any] = field(default_factory=dict)
    # The current row in the database (all columns) when the row updates a record.
    existing: dict[str, Any] | None = None
    # The full record to write: existing or default columns overlaid with `data`.
    record: dict[str, Any] | None = None

    # A creation's values worked out ahead, in the reading thread, with the data they came
    # from: check() takes them if the row still creates and its data is unchanged.
    prepared: tuple[dict[str, Any], dict[str, Any]] | None = None

    # Remarks that do not fail the row (a likely duplicate left uncreated), reported with
    # the row errors; and the duplicate candidates to record once the row is created.
    notes: list[RowIssue] = field(default_factory=list)
    candidates: list[Any] = field(default_factory=list)

    # How many issues the row had before the database was asked (see reset()).
    shaped: int = 0

    def reset(self) -> None:
        """Forget what the lookups and checks found, for a retried chunk."""
        del self.issues[self.shaped :]
        self.notes.clear()
        self.candidates.clear()
        self.existing = None
        self.record = None

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def creating(self) -> bool:
        return self.existing is None

    @property
    def record_id(self) -> uuid.UUID:
        assert self.record is not None
        record_id: uuid.UUID = self.record["id"]
        return record_id


def add_domain_error(row: Row, mapping: ColumnMapping, error: DomainError) -> None:
    """The services' problems as row issues, each under the file's own column header."""
    for problem in error.problems:
        row.issues.append(
            RowIssue(mapping.header_for_problem(problem.field), problem.code.value, problem.message)
        )


def add_normalisation_error(row: Row, mapping: ColumnMapping, error: NormalisationError) -> None:
    row.issues.append(RowIssue(mapping.header_for_problem((error.field,)), "INVALID", error.reason))


def add_issue(row: Row, mapping: ColumnMapping, field_name: str, code: str, message: str) -> None:
    row.issues.append(RowIssue(mapping.header_of(field_name), code, message))


def waves(rows: Sequence[Row], claims: Callable[[Row], Iterable[Hashable]]) -> list[list[Row]]:
    """Split rows so that no two rows of one wave share a claim, keeping file order for
    rows that do: a row goes one wave after the last wave that used any of its claims."""
    last_wave: dict[Hashable, int] = {}
    result: list[list[Row]] = []
    for row in rows:
        keys = [key for key in claims(row) if key is not None]
        wave = max((last_wave[key] + 1 for key in keys if key in last_wave), default=0)
        for key in keys:
            last_wave[key] = wave
        while len(result) <= wave:
            result.append([])
        result[wave].append(row)
    return result
