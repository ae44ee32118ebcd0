"""Copy an upload from PostgreSQL to a private temporary file, learning about its bytes.

Spooling (rather than decoding the chunks as they arrive) keeps memory bounded by one
chunk, lets the reader make a cheap structural pass before anything is written, and
lets a resumed job skip rows it already committed. While copying it checks whether the
whole file is valid UTF-8 and whether it has bytes that cp1252 leaves undefined, which is
all the encoding detection needs.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from clientbase.services.imports.problems import FileProblem, ImportFileError

HEAD_BYTES = 64 * 1024
# Bytes with no character in cp1252: a file with one of these is read as latin-1.
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


@dataclass
class Spooled:
    path: Path
    size: int = 0
    head: bytes = b""
    newlines: int = 0
    valid_utf8: bool = True
    cp1252_undefined: bool = False
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")()
    )

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self.newlines += chunk.count(b"\n")
        if self.valid_utf8:
            try:
                self._decoder.decode(chunk)
            except UnicodeDecodeError:
                self.valid_utf8 = False
        if not self.cp1252_undefined:
            self.cp1252_undefined = any(byte in chunk for byte in CP1252_UNDEFINED)

    def finish(self) -> None:
        if self.valid_utf8:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:  # the file ends inside a character
                self.valid_utf8 = False


class _Writer:
    """The blocking file half of spooling, kept out of the coroutine."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("wb")

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def close(self) -> None:
        self._file.close()


async def spool(chunks: AsyncIterator[bytes], directory: Path, max_bytes: int) -> Spooled:
    """Write `chunks` to `directory`/upload; ImportFileError past `max_bytes` or if empty."""
    spooled = Spooled(path=directory / "upload")
    writer = _Writer(spooled.path)
    try:
        async for chunk in chunks:
            spooled.add(chunk)
            if spooled.size > max_bytes:
                raise ImportFileError(
                    FileProblem.TOO_LARGE, f"The file is larger than {max_bytes:,} bytes."
                )
            writer.write(chunk)
    finally:
        writer.close()
    spooled.finish()
    if not spooled.head.strip():
        raise ImportFileError(FileProblem.EMPTY, "The file is empty.")
    return spooled
