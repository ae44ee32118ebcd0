"""Store a stream of bytes as a file, and stream it back, chunk by chunk.

No shared disk exists between API and worker hosts, so files live in PostgreSQL as
1 MiB chunks. Memory stays bounded by one chunk whatever the file size. A file is
written in the caller's transaction: a failure midway (too large, a dropped upload)
rolls back every chunk with it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.file import File, FilePurpose
from clientbase.services.audit import service as audit
from clientbase.services.auth.principal import Principal
from clientbase.services.errors import DomainError, ErrorCode, Problem
from clientbase.services.files import repository

CHUNK_SIZE = 1024 * 1024
MAX_FILENAME = 255
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


class FileTooLargeError(DomainError):
    """The stream went past the size limit; nothing of it may be committed."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__([Problem(("file",), ErrorCode.LIMIT_EXCEEDED,
                                  f"The file is larger than {max_bytes} bytes.")])  # fmt: skip
        self.max_bytes = max_bytes


def clean_filename(name: str | None) -> str:
    """The last path component, without control characters, at most 255 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("", base).strip()
    return base[:MAX_FILENAME] or "upload"


async def _rechunked(chunks: AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
    """The bytes of `chunks` in pieces of exactly `size` (the last one shorter)."""
    buffer = bytearray()
    async for piece in chunks:
        buffer += piece
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


async def store_stream(
    session: AsyncSession,
    actor_or_tenant_id: Principal | uuid.UUID,
    filename: str | None,
    content_type: str | None,
    chunks: AsyncIterator[bytes],
    purpose: FilePurpose | str,
    max_bytes: int,
    *,
    expires_at: datetime | None = None,
) -> File:
    """Write `chunks` as a new file; raises FileTooLargeError past `max_bytes`.

    Size and digest are stored at the end: a file without sha256 is incomplete.
    """
    actor = actor_or_tenant_id if isinstance(actor_or_tenant_id, Principal) else None
    tenant_id = actor.tenant_id if actor else actor_or_tenant_id
    assert isinstance(tenant_id, uuid.UUID)
    file = await repository.add(session, File(
        id=uuid.uuid4(), tenant_id=tenant_id, filename=clean_filename(filename),
        content_type=(content_type or "application/octet-stream")[:255],
        purpose=FilePurpose(purpose).value, expires_at=expires_at,
    ))  # fmt: skip
    digest, size, seq = hashlib.sha256(), 0, 0
    async for piece in _rechunked(chunks, CHUNK_SIZE):
        size += len(piece)
        if size > max_bytes:
            raise FileTooLargeError(max_bytes)
        digest.update(piece)
        await repository.add_chunk(session, tenant_id, file.id, seq, piece)
        seq += 1
    await repository.complete(session, file, size, digest.hexdigest())
    if actor is not None:
        audit.record(session, actor, "File.create", "File", file.id,
                     {"filename": {"before": None, "after": file.filename},
                      "size_bytes": {"before": None, "after": size}})  # fmt: skip
    return file


async def get_file(session: AsyncSession, file_id: uuid.UUID) -> File | None:
    """A complete file of the session's tenant, or None."""
    file = await repository.get(session, file_id)
    return file if file is not None and file.sha256 is not None else None


async def open_chunks(session: AsyncSession, file_id: uuid.UUID) -> AsyncIterator[bytes]:
    """The bytes of a stored file, one chunk at a time, in order."""
    seq = 0
    while (data := await repository.chunk(session, file_id, seq)) is not None:
        yield data
        seq += 1
