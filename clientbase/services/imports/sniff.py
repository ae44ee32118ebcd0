"""Tell what an uploaded file is: its format, its text encoding and its CSV delimiter.

Encodings are decided by rule, not by a statistical detector: a BOM wins; a file that is
valid UTF-8 throughout is UTF-8; otherwise it is cp1252 (the legacy Windows encoding of
the Portuguese, Spanish and English spreadsheets this serves), or latin-1 if it has bytes
cp1252 leaves undefined. Statistical detectors misread short cp1252 samples as cp1250.
"""

from __future__ import annotations

import csv
import enum
import io

from clientbase.services.imports.problems import FileProblem, ImportFileError
from clientbase.services.imports.spool import Spooled


class FileFormat(enum.StrEnum):
    CSV = "CSV"
    XLSX = "XLSX"
    JSONL = "JSONL"


# Signatures of files people upload by mistake, named in the error.
_BINARY_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "a legacy Excel (.xls) or Office file; save it as .xlsx or CSV"),
)
_ZIP = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
# More control characters than this share of the first characters: not text.
_CONTROL_SHARE = 0.05


def detect_format(spooled: Spooled, filename: str, requested: str | None) -> FileFormat:
    head = spooled.head
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise ImportFileError(
                FileProblem.BINARY, f"The file is {what}, not CSV, XLSX or JSONL."
            )
    if head.startswith(_ZIP):
        if requested not in (None, FileFormat.XLSX.value):
            raise ImportFileError(
                FileProblem.UNSUPPORTED, f"The file is a ZIP/XLSX, not {requested}."
            )
        return FileFormat.XLSX
    if requested == FileFormat.XLSX.value:
        raise ImportFileError(FileProblem.UNSUPPORTED, "The file is not an XLSX workbook.")
    if requested is not None:
        return FileFormat(requested)
    text = head_text(spooled)
    if filename.lower().endswith((".jsonl", ".ndjson")) or text.lstrip().startswith("{"):
        return FileFormat.JSONL
    return FileFormat.CSV


def detect_encoding(spooled: Spooled) -> str:
    head = spooled.head
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # Python reads the BOM and picks the byte order
    sample = head[:4096]
    pairs = max(1, len(sample) // 2)
    # ASCII text in UTF-16 without a BOM: every other byte is zero.
    if sample[1::2].count(0) > 0.4 * pairs and sample[0::2].count(0) < 0.05 * pairs:
        return "utf-16-le"
    if sample[0::2].count(0) > 0.4 * pairs and sample[1::2].count(0) < 0.05 * pairs:
        return "utf-16-be"
    if spooled.valid_utf8:
        return "utf-8"
    return "latin-1" if spooled.cp1252_undefined else "cp1252"


def head_text(spooled: Spooled, encoding: str | None = None) -> str:
    """The decoded start of the file; raises BINARY if it is not text."""
    encoding = encoding or detect_encoding(spooled)
    text = spooled.head.decode(encoding, errors="ignore")
    sample = text[:8192]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    if sample and controls > _CONTROL_SHARE * len(sample):
        raise ImportFileError(FileProblem.BINARY, "The file is not text (binary content).")
    return text


def detect_delimiter(text: str, whole: bool) -> str:
    """The delimiter that splits the first lines into the same, largest number of cells."""
    lines = text.splitlines()
    if not whole and len(lines) > 1:
        lines = lines[:-1]  # the head may end in the middle of a line
    sample = "\n".join(lines[:50])
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        rows = [row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(row) == width for row in rows) / len(rows), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best
