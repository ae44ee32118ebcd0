"""Open a spooled upload as a Table, whatever its format."""

from __future__ import annotations

from clientbase.services.imports.csv_reader import open_csv
from clientbase.services.imports.jsonl_reader import open_jsonl
from clientbase.services.imports.sniff import FileFormat, detect_format
from clientbase.services.imports.spool import Spooled
from clientbase.services.imports.table import Table
from clientbase.services.imports.xlsx_reader import open_xlsx

OPENERS = {FileFormat.CSV: open_csv, FileFormat.XLSX: open_xlsx, FileFormat.JSONL: open_jsonl}


def open_table(spooled: Spooled, filename: str, requested: str | None = None) -> Table:
    """Detect the format (content first, then name) and make a first pass over the file;
    raises ImportFileError for a file that cannot be imported at all."""
    file_format = detect_format(spooled, filename, requested)
    return OPENERS[file_format](spooled)
