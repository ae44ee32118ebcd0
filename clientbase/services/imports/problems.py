"""What can be wrong with an import: the whole file (the job fails) or one row (it is skipped)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FileProblem(enum.StrEnum):
    EMPTY = "EMPTY"
    NO_DATA = "NO_DATA"
    TOO_LARGE = "TOO_LARGE"
    BINARY = "BINARY"
    ENCODING = "ENCODING"
    MALFORMED = "MALFORMED"
    DUPLICATE_COLUMNS = "DUPLICATE_COLUMNS"
    UNKNOWN_COLUMNS = "UNKNOWN_COLUMNS"
    MISSING_COLUMNS = "MISSING_COLUMNS"
    UNSAFE_ARCHIVE = "UNSAFE_ARCHIVE"
    UNSUPPORTED = "UNSUPPORTED"


class RowCode(enum.StrEnum):
    """Row error codes of the reader and the pipeline; the services' ErrorCodes are used too."""

    RAGGED = "RAGGED"
    NUL = "NUL"
    FORMULA = "FORMULA"
    MALFORMED = "MALFORMED"
    # Not an error: a row the duplicate policy did not create (counted as skipped).
    DUPLICATE = "DUPLICATE"


class ImportFileError(Exception):
    """The file cannot be imported at all; raised before any row is written."""

    def __init__(self, code: FileProblem, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"


@dataclass(frozen=True)
class RowIssue:
    """One problem with one row: the column header at fault (if one), a code, a message."""

    column: str | None
    code: str
    message: str
