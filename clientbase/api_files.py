"""`POST /files` and `GET /files/{id}`: uploads streamed into PostgreSQL and served back.

An upload is a raw body (its Content-Type, the name in `X-Filename`) or multipart/form-data
with a field "file". Either way the bytes flow from the socket to 1 MiB chunk rows without
the whole file ever in memory or on disk. The caller is authenticated by the session
middleware; row-level security keeps every tenant's files invisible to the others. A file
with an expiry (an export's) is 410 Gone past it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from clientbase.models.file import FilePurpose
from clientbase.schema.ids import InvalidGlobalIdError, from_global_id, to_global_id
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.errors import DomainError
from clientbase.services.files import service as files


class BadUploadError(ValueError):
    """The request body is not an upload this endpoint understands."""


def _error(status: int, code: str, message: str) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


class MultipartFile:
    """The one field named `field` of a multipart/form-data body, as a stream of bytes."""

    def __init__(self, request: Request, boundary: bytes, field: str = "file") -> None:
        self._body = request.stream().__aiter__()
        self._field = field.encode()
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._in_file = self._file_done = False
        self._data: list[bytes] = []
        self.filename: str | None = None
        self.content_type: str | None = None
        callbacks: Any = {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }  # fmt: skip
        self._parser = MultipartParser(boundary, callbacks)

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if options.get(b"name") == self._field and self.filename is None and not self._file_done:
            self._in_file = True
            self.filename = options.get(b"filename", b"upload").decode("utf-8", "replace")
            raw_type = self._headers.get(b"content-type")
            self.content_type = raw_type.decode("latin-1") if raw_type else None

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._data.append(bytes(data[start:end]))

    def _part_end(self) -> None:
        if self._in_file:
            self._in_file, self._file_done = False, True

    async def _feed(self) -> bool:
        try:
            piece = await anext(self._body)
        except StopAsyncIteration:
            return False
        try:
            self._parser.write(piece)
        except MultipartParseError as exc:
            raise BadUploadError(f"The multipart body is malformed: {exc}") from exc
        return True

    async def start(self) -> None:
        """Read up to the start of the file's bytes, so its name and type are known."""
        while self.filename is None:
            if not await self._feed():
                raise BadUploadError("The multipart body has no field named 'file'.")

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            if self._data:
                yield b"".join(self._data)
                self._data.clear()
            if self._file_done:
                return
            if not await self._feed():
                raise BadUploadError("The multipart body ends inside the file.")


def _disposition(filename: str) -> str:
    fallback = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{fallback or 'download'}\"; filename*=UTF-8''{quote(filename)}"


def file_routes(max_upload_bytes: int) -> list[Route]:
    """The routes, with the upload limit of this app."""

    async def upload(request: Request) -> Response:
        session: AsyncSession = request.state.session
        principal: Principal = request.state.principal
        if not principal.role.allows(Role.EDITOR):
            return _error(403, "FORBIDDEN", "Uploading needs the editor role.")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_upload_bytes + 64 * 1024:
            return _error(413, "LIMIT_EXCEEDED", f"Uploads are at most {max_upload_bytes} bytes.")
        media_type, options = parse_options_header(request.headers.get("content-type"))
        try:
            if media_type == b"multipart/form-data":
                if b"boundary" not in options:
                    raise BadUploadError("The multipart Content-Type has no boundary.")
                part = MultipartFile(request, options[b"boundary"])
                await part.start()
                name, content_type, chunks = part.filename, part.content_type, part.chunks()
            else:
                name = request.headers.get("x-filename")
                content_type, chunks = request.headers.get("content-type"), request.stream()
            stored = await files.store_stream(session, principal, name, content_type, chunks,
                                              FilePurpose.UPLOAD, max_upload_bytes)  # fmt: skip
            await session.commit()
        except files.FileTooLargeError as exc:
            await session.rollback()
            return _error(413, "LIMIT_EXCEEDED", str(exc))
        except (BadUploadError, DomainError) as exc:
            await session.rollback()
            return _error(400, "INVALID", str(exc))
        body = {"id": to_global_id("File", stored.id), "size": stored.size_bytes,
                "sha256": stored.sha256, "filename": stored.filename}  # fmt: skip
        return JSONResponse(body, status_code=201)

    async def download(request: Request) -> Response:
        session: AsyncSession = request.state.session
        try:
            type_name, file_id = from_global_id(request.path_params["file_id"])
        except InvalidGlobalIdError:
            type_name, file_id = "", uuid.UUID(int=0)
        stored = await files.get_file(session, file_id) if type_name == "File" else None
        if stored is None:
            return _error(404, "NOT_FOUND", "No file with this id.")
        if stored.expires_at is not None and stored.expires_at <= datetime.now(UTC):
            when = stored.expires_at.isoformat(timespec="seconds")
            return _error(410, "EXPIRED", f"This download link expired at {when}; "
                                          "export again for a new one.")  # fmt: skip
        headers = {
            "content-disposition": _disposition(stored.filename),
            "content-length": str(stored.size_bytes),
            "etag": f'"{stored.sha256}"',
            # The type is the uploader's word: never let a browser guess another.
            "x-content-type-options": "nosniff",
        }
        return StreamingResponse(files.open_chunks(session, stored.id),
                                 media_type=stored.content_type, headers=headers)  # fmt: skip

    return [
        Route("/files", upload, methods=["POST"]),
        Route("/files/{file_id}", download, methods=["GET"]),
    ]
