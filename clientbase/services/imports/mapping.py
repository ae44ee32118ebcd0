"""Which column of the file feeds which field: by header, or as the caller says.

Automatic matching folds case, accents and punctuation and also splits camelCase, so
"legalName", "Legal name", "LEGAL_NAME" and "Razão Social" all find `legal_name`. An
explicit mapping wins over it; mapping a column to no field (null) ignores it. Columns
that match nothing fail the file: silently dropping a misspelt "Razao Socal" column
would import rows without the data the user meant to load. The id and label columns
an export adds (catalog.READ_ONLY) are read past, so an export imports back as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass

from clientbase.services.imports.catalog import FIELDS, READ_ONLY, Field, ImportEntity
from clientbase.services.imports.convert import fold
from clientbase.services.imports.problems import FileProblem, ImportFileError

# The column an error report adds (report.ERROR_COLUMN), ignored when it comes back.
REPORT_ERROR_COLUMN = "error"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """ "Razão Social" -> "razao social"; "legalName" -> "legal name"."""
    return _PUNCTUATION.sub(" ", fold(_CAMEL.sub(" ", text.strip()))).strip()


def _index(entity: ImportEntity) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for field in FIELDS[entity]:
        for word in (field.name, field.problem_name, *field.synonyms):
            index.setdefault(header_key(word), field)
    return index


def field_named(entity: ImportEntity, name: str) -> Field | None:
    """A field by its own name in any spelling (legal_name, legalName)."""
    key = header_key(name)
    return next((f for f in FIELDS[entity] if header_key(f.name) == key), None)


@dataclass(frozen=True)
class ColumnMapping:
    headers: tuple[str, ...]
    # (column index, field) for the columns that are imported, in file order.
    columns: tuple[tuple[int, Field], ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(field.name for _, field in self.columns)

    def header_of(self, field_name: str) -> str | None:
        return next((self.headers[i] for i, f in self.columns if f.name == field_name), None)

    def header_for_problem(self, path: Sequence[str]) -> str | None:
        """The file's header for a service problem path such as ("address", "country")."""
        name = ".".join(path)
        return next((self.headers[i] for i, f in self.columns if f.problem_name == name), None)


def map_columns(
    entity: ImportEntity, headers: Sequence[str], explicit: MappingType[str, str | None] | None
) -> ColumnMapping:
    """Map `headers`; ImportFileError for duplicate or unknown columns."""
    explicit_keys = {header_key(column): field for column, field in (explicit or {}).items()}
    index = _index(entity)
    # An export's "customer_id" holds ids, not the code that the field customerId names.
    spelled = {header_key(w) for f in FIELDS[entity] for w in (f.name, *f.synonyms)}
    read_only = {header_key(name) for name in READ_ONLY.get(entity, ())} - spelled
    seen: dict[str, str] = {}
    columns: list[tuple[int, Field]] = []
    unknown: list[str] = []
    claimed: dict[str, str] = {}
    for position, header in enumerate(headers):
        key = header_key(header)
        if key in seen:
            message = f"The columns {seen[key]!r} and {header!r} have the same name."
            raise ImportFileError(FileProblem.DUPLICATE_COLUMNS, message)
        seen[key] = header
        if key == REPORT_ERROR_COLUMN and key not in explicit_keys:
            continue  # an error report imported again after its rows were fixed
        if key in explicit_keys:
            target = explicit_keys[key]
            if target is None:
                continue
            field = field_named(entity, target)
            if field is None:
                message = f"The mapping names {target!r}, not a field of {entity}."
                raise ImportFileError(FileProblem.UNKNOWN_COLUMNS, message)
        elif key in read_only:
            continue  # an export's id or label column, imported back
        else:
            found = index.get(key)
            if found is None:
                unknown.append(header)
                continue
            field = found
        if field.name in claimed:
            raise ImportFileError(FileProblem.DUPLICATE_COLUMNS,
                                  f"The columns {claimed[field.name]!r} and {header!r} both "
                                  f"mean {field.problem_name}.")  # fmt: skip
        claimed[field.name] = header
        columns.append((position, field))
    if unknown:
        names = ", ".join(f.problem_name for f in FIELDS[entity])
        listed = ", ".join(repr(u) for u in unknown)
        raise ImportFileError(FileProblem.UNKNOWN_COLUMNS,
                              f"Unknown columns: {listed}. Rename them, map them to one of "
                              f"{names}, or map them to null to ignore them.")  # fmt: skip
    return ColumnMapping(tuple(headers), tuple(columns))
