"""XLSX workbooks through python-calamine, after the archive has been proven safe to open.

A workbook is a ZIP archive, so a small upload can expand without bound (a zip bomb).
Before calamine sees it, every entry is checked: how many there are, their declared
sizes and compression ratios, and then their real sizes by streaming each through
zipfile (which stops at the declared size and fails on a CRC mismatch, so a lying header
cannot slip through). That same pass finds formula cells: their cached values are not
imported as if typed, the rows holding them get a FORMULA error instead.
Calamine loads the first worksheet into memory whole, once; the size limit bounds that.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import python_calamine

from clientbase.services.formula import unescape
from clientbase.services.imports.problems import FileProblem, ImportFileError, RowCode, RowIssue
from clientbase.services.imports.spool import Spooled
from clientbase.services.imports.table import (
    RawRow,
    Table,
    clean_headers,
    no_data_check,
    shape_issues,
)

MAX_ENTRIES = 1_000
MAX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_RATIO = 100
# Small entries compress extremely well (repeated XML boilerplate); judge ratios above this.
RATIO_FLOOR = 1024 * 1024
_BLOCK = 1024 * 1024
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _unsafe(message: str) -> ImportFileError:
    return ImportFileError(FileProblem.UNSAFE_ARCHIVE, message)


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse archives that would expand too far, before anything is decompressed."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise _unsafe(f"The workbook has {len(entries):,} parts; at most {MAX_ENTRIES:,}.")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED:
        raise _unsafe(f"The workbook expands to {total:,} bytes; at most {MAX_UNCOMPRESSED:,}.")
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise _unsafe(
                f"The part {entry.filename} expands {ratio:,.0f} times; at most {MAX_RATIO}."
            )


def _stream(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    try:
        with archive.open(name) as part:
            while block := part.read(_BLOCK):
                yield block
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _unsafe(f"The part {name} is damaged: {exc}.") from exc


def _first_sheet_part(archive: zipfile.ZipFile) -> str:
    try:
        workbook_xml = archive.read("xl/workbook.xml")
        rels_xml = archive.read("xl/_rels/workbook.xml.rels")
        if _DTD.search(workbook_xml) or _DTD.search(rels_xml):
            raise _unsafe("The workbook declares a DTD.")
        # No DTD, so no entity expansion: the stdlib parser is safe on this input.
        workbook = ElementTree.fromstring(workbook_xml)  # noqa: S314
        rels = ElementTree.fromstring(rels_xml)  # noqa: S314
    except (KeyError, ElementTree.ParseError) as exc:
        raise ImportFileError(FileProblem.MALFORMED, "The file is not an XLSX workbook.") from exc
    sheet = workbook.find(f"{_NS_MAIN}sheets/{_NS_MAIN}sheet")
    if sheet is None:
        raise ImportFileError(FileProblem.NO_DATA, "The workbook has no worksheet.")
    rel_id = sheet.get(f"{_NS_REL}id")
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePosixPath("xl") / target)
    raise ImportFileError(FileProblem.MALFORMED, "The workbook's first sheet is missing.")


def _maybe_formula(window: bytes) -> bool:
    """A cheap first look for a formula element (<f> or <x:f>); the pattern decides."""
    return b"<f" in window or b":f" in window


def _verify_and_find_formulas(archive: zipfile.ZipFile) -> bool:
    """Decompress every part once (real sizes, CRCs), refuse DTDs; True if the sheet has
    formulas. Workbooks never declare a DTD, and without one the XML parsers below cannot
    be made to expand entities (billion laughs) or fetch anything."""
    sheet_part = _first_sheet_part(archive)
    formulas = False
    for entry in archive.infolist():
        tail = b""
        for block in _stream(archive, entry.filename):
            window = tail + block
            if b"<!" in window and _DTD.search(window):
                raise _unsafe(f"The part {entry.filename} declares a DTD.")
            if entry.filename == sheet_part and not formulas:
                formulas = _maybe_formula(window) and _FORMULA.search(window) is not None
            tail = block[-16:]
    return formulas


def _formula_cells(archive: zipfile.ZipFile, sheet_part: str) -> dict[int, str]:
    """Sheet row number -> the first formula cell's column letters."""
    found: dict[int, str] = {}
    with archive.open(sheet_part) as part:
        # Parsed only after _verify_and_find_formulas refused any DTD in the archive.
        for _event, element in ElementTree.iterparse(part):  # noqa: S314
            if element.tag == f"{_NS_MAIN}c":
                if element.find(f"{_NS_MAIN}f") is not None:
                    match = _CELL_REF.match(element.get("r", ""))
                    if match:
                        found.setdefault(int(match.group(2)), match.group(1))
                element.clear()
    return found


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def cell_text(value: object) -> str:
    """Cells as text, the way they read in the sheet: 42.0 is "42", dates are ISO."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return "" if value is None else str(value)


def open_xlsx(spooled: Spooled) -> Table:
    path: Path = spooled.path
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive(archive)
            has_formulas = _verify_and_find_formulas(archive)
            formulas = _formula_cells(archive, _first_sheet_part(archive)) if has_formulas else {}
    except zipfile.BadZipFile as exc:
        raise ImportFileError(
            FileProblem.MALFORMED, f"The file is not a valid XLSX: {exc}."
        ) from exc
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except python_calamine.CalamineError as exc:
        raise ImportFileError(
            FileProblem.MALFORMED, f"The workbook cannot be read: {exc}."
        ) from exc
    start_row, start_column = sheet.start if sheet.start else (0, 0)
    first = next(sheet.iter_rows(), None)
    if first is None:
        workbook.close()
        raise ImportFileError(FileProblem.EMPTY, "The worksheet is empty.")
    headers = clean_headers([cell_text(v) for v in first])
    total = max(sheet.height - 1, 0)
    no_data_check(total)
    # The sheet stays loaded for the first pass over the rows (loading it is most of
    # calamine's time); a resumed job's reader loads it again.
    loaded = [sheet]

    def rows(skip: int) -> Iterator[RawRow]:
        book = None
        if loaded:
            current = loaded.pop()
        else:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            current = book.get_sheet_by_index(0)
        try:
            data = current.iter_rows()
            next(data, None)
            for index, values in enumerate(itertools.islice(data, skip, None), start=skip):
                number = start_row + index + 2  # 0-based start, header, 1-based rows
                # Text as calamine gives it, less an export's formula escape ('=...).
                cells = [unescape(v) if type(v) is str else cell_text(v) for v in values]
                issues = shape_issues(cells, headers)
                if number in formulas:
                    letters = formulas[number]
                    column_at = _column_index(letters) - start_column
                    column = headers[column_at] if 0 <= column_at < len(headers) else None
                    issues.append(RowIssue(column, RowCode.FORMULA,
                                           f"Cell {letters}{number} holds a formula; "
                                           "paste it as a value."))  # fmt: skip
                yield RawRow(number, cells, issues)
        finally:
            if book is not None:
                book.close()
            workbook.close()

    return Table("XLSX", headers, total, rows)
