"""SQL for files and their chunks. Chunks are written with Core inserts, so their bytes
never linger in the session's identity map."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.file import File
from clientbase.models.file_chunk import FileChunk


async def add(session: AsyncSession, file: File) -> File:
    session.add(file)
    await session.flush()
    return file


async def add_chunk(
    session: AsyncSession, tenant_id: uuid.UUID, file_id: uuid.UUID, seq: int, data: bytes
) -> None:
    await session.execute(
        insert(FileChunk).values(tenant_id=tenant_id, file_id=file_id, seq=seq, data=data)
    )


async def complete(session: AsyncSession, file: File, size: int, sha256: str) -> None:
    await session.execute(
        update(File)
        .where(File.id == file.id)
        .values(size_bytes=size, sha256=sha256)
        .execution_options(synchronize_session=False)
    )
    file.size_bytes, file.sha256 = size, sha256


async def get(session: AsyncSession, file_id: uuid.UUID) -> File | None:
    return await session.get(File, file_id)


async def chunk(session: AsyncSession, file_id: uuid.UUID, seq: int) -> bytes | None:
    stmt = select(FileChunk.data).where(FileChunk.file_id == file_id, FileChunk.seq == seq)
    return await session.scalar(stmt)
