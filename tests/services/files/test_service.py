"""File storage on real PostgreSQL: chunking, digest, limits and tenancy."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from clientbase.core.db import Database
from clientbase.models.file import File
from clientbase.models.file_chunk import FileChunk
from clientbase.services.files import service as files
from tests.helpers import committed_tenant


async def _pieces(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _read(database: Database, tenant_id: object, file_id: object) -> bytes:
    async with database.session(tenant_id) as session:  # type: ignore[arg-type]
        return b"".join([chunk async for chunk in files.open_chunks(session, file_id)])  # type: ignore[arg-type]


async def test_a_stream_is_stored_in_whole_chunks_and_read_back(database: Database) -> None:
    caller = await committed_tenant(database)
    # Pieces of odd sizes straddle the chunk boundaries, as a network would deliver them.
    data = bytes(range(256)) * (files.CHUNK_SIZE // 256 * 2 + 3)
    parts = [data[i : i + 100_003] for i in range(0, len(data), 100_003)]
    async with database.session(caller.tenant_id) as session:
        stored = await files.store_stream(session, caller.tenant_id, "../x/../rep\x00ort.csv",
                                          "text/csv", _pieces(*parts), "UPLOAD", 10**9)  # fmt: skip
        await session.commit()
    assert stored.filename == "report.csv"
    assert (stored.size_bytes, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    async with database.session(caller.tenant_id) as session:
        sizes = (await session.scalars(select(func.length(FileChunk.data))
                                       .where(FileChunk.file_id == stored.id)
                                       .order_by(FileChunk.seq))).all()  # fmt: skip
    assert sizes == [files.CHUNK_SIZE, files.CHUNK_SIZE, 768]
    assert await _read(database, caller.tenant_id, stored.id) == data
    stranger = await committed_tenant(database)
    async with database.session(stranger.tenant_id) as session:
        assert await files.get_file(session, stored.id) is None
    assert await _read(database, stranger.tenant_id, stored.id) == b""


async def test_too_large_raises_and_the_rollback_leaves_nothing(database: Database) -> None:
    caller = await committed_tenant(database)
    async with database.session(caller.tenant_id) as session:
        with pytest.raises(files.FileTooLargeError):
            await files.store_stream(session, caller.tenant_id, "big.bin", None,
                                     _pieces(b"x" * 6, b"y" * 6), "UPLOAD", 10)  # fmt: skip
        await session.rollback()
        assert await session.scalar(select(func.count()).select_from(File)) == 0
        assert await session.scalar(select(func.count()).select_from(FileChunk)) == 0


async def test_an_empty_stream_is_an_empty_file(database: Database) -> None:
    caller = await committed_tenant(database)
    async with database.session(caller.tenant_id) as session:
        stored = await files.store_stream(session, caller.tenant_id, None, None, _pieces(),
                                          "EXPORT", 10)  # fmt: skip
        await session.commit()
    assert (stored.filename, stored.content_type, stored.size_bytes) == (
        "upload", "application/octet-stream", 0,
    )  # fmt: skip
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
