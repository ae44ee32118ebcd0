"""An import job's parameters as stored in job.params, and what the pipeline needs from
the job runner and the file store (protocols, so the pipeline imports neither)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import ImportMode


@dataclass(frozen=True)
class ImportParams:
    file_id: uuid.UUID
    entity: ImportEntity
    mode: ImportMode
    dry_run: bool = False
    format: str | None = None
    # The file's column header -> field name, or None to ignore the column.
    mapping: dict[str, str | None] | None = None
    duplicate_policy: str | None = None
    # Who started the import, for the audit trail of its writes.
    actor_kind: str = "SYSTEM"
    actor_id: str | None = None
    actor_label: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": "IMPORT", "fileId": str(self.file_id), "entity": self.entity.value,
            "mode": self.mode.value, "dryRun": self.dry_run, "format": self.format,
            "mapping": self.mapping, "duplicatePolicy": self.duplicate_policy,
            "actorKind": self.actor_kind, "actorId": self.actor_id,
            "actorLabel": self.actor_label,
        }  # fmt: skip

    @classmethod
    def from_json(cls, params: dict[str, Any]) -> ImportParams:
        return cls(
            file_id=uuid.UUID(params["fileId"]), entity=ImportEntity(params["entity"]),
            mode=ImportMode(params.get("mode", ImportMode.INSERT.value)),
            dry_run=bool(params.get("dryRun", False)), format=params.get("format"),
            mapping=params.get("mapping"), duplicate_policy=params.get("duplicatePolicy"),
            actor_kind=params.get("actorKind", "SYSTEM"), actor_id=params.get("actorId"),
            actor_label=params.get("actorLabel"),
        )  # fmt: skip


class Run(Protocol):
    """The job runner's JobRun, as far as imports use it."""

    job_id: uuid.UUID
    tenant_id: uuid.UUID
    params: dict[str, Any]
    checkpoint: dict[str, Any] | None

    def session(self) -> AbstractAsyncContextManager[AsyncSession]: ...

    async def save_progress(
        self,
        session: AsyncSession,
        *,
        checkpoint: dict[str, Any] | None = None,
        total: int | None = None,
        processed: int = 0,
        created: int = 0,
        updated: int = 0,
        skipped: int = 0,
        failed: int = 0,
    ) -> None: ...

    async def cancelled(self) -> bool: ...

    async def fence(self, session: AsyncSession) -> None: ...

    def stopping(self) -> bool: ...


ChunkReader = Callable[[AsyncSession, uuid.UUID], AsyncIterator[bytes]]


class StoredFile(Protocol):
    id: uuid.UUID


StoreStream = Callable[
    [AsyncSession, uuid.UUID, str, str, AsyncIterator[bytes], str, int], Awaitable[StoredFile]
]


@dataclass(frozen=True)
class FileStore:
    """The files service's two functions the pipeline uses (injected by the job handler)."""

    open_chunks: ChunkReader
    store_stream: StoreStream
