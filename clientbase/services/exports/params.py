"""An export job's parameters as stored in job.params, and what it records when it ends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clientbase.services.exports.catalog import ExportEntity, ExportFormat

EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx", ExportFormat.JSONL: "jsonl"}
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSONL: "application/x-ndjson",
}


@dataclass(frozen=True)
class ExportParams:
    entity: ExportEntity
    format: ExportFormat
    columns: list[str]
    # The filter tree in JSON terms (query.filters.to_json), compiled again by the worker.
    filter: dict[str, Any] | None = None
    search: str | None = None
    # A UTF-8 byte order mark first, so that spreadsheet programs read the CSV as UTF-8.
    bom: bool = False
    filename: str = "export"

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity.value, "format": self.format.value,
                "columns": list(self.columns), "filter": self.filter, "search": self.search,
                "bom": self.bom, "filename": self.filename}  # fmt: skip

    @classmethod
    def from_json(cls, params: dict[str, Any]) -> ExportParams:
        return cls(entity=ExportEntity(params["entity"]), format=ExportFormat(params["format"]),
                   columns=list(params["columns"]), filter=params.get("filter"),
                   search=params.get("search"), bom=bool(params.get("bom", False)),
                   filename=params.get("filename") or "export")  # fmt: skip


def filename_for(entity: ExportEntity, file_format: ExportFormat, at: datetime) -> str:
    stem = entity.value.lower().replace("_", "-")
    return f"{stem}-{at.strftime('%Y%m%d-%H%M%S')}.{EXTENSIONS[file_format]}"


@dataclass(frozen=True)
class ExportResult:
    """What a finished export keeps in its job's checkpoint."""

    file_id: uuid.UUID
    rows: int
    expires_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"done": True, "fileId": str(self.file_id), "rows": self.rows,
                "expiresAt": self.expires_at.isoformat()}  # fmt: skip

    @classmethod
    def from_checkpoint(cls, checkpoint: dict[str, Any] | None) -> ExportResult | None:
        if not checkpoint or not checkpoint.get("done") or not checkpoint.get("fileId"):
            return None
        return cls(uuid.UUID(checkpoint["fileId"]), int(checkpoint.get("rows", 0)),
                   datetime.fromisoformat(checkpoint["expiresAt"]))  # fmt: skip
