"""POST /files and GET /files/{id} through the real app: raw and multipart uploads, the
size limit, roles and tenancy."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from clientbase.app import create_app
from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.models.file import File
from clientbase.schema.ids import to_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import committed_tenant


@pytest.fixture
async def small_limit_client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(get_settings().model_copy(update={"max_upload_bytes": 3 * 1024 * 1024}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def _count_files(database: Database, tenant_id: uuid.UUID) -> int:
    async with database.session(tenant_id) as session:
        return int(await session.scalar(select(func.count()).select_from(File)) or 0)


async def test_raw_upload_and_download(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    body = "código;nome\n1;Padaria São João\n".encode() * 50_000  # about 1.5 MiB
    headers = {**editor.headers, "Content-Type": "text/csv", "X-Filename": "clientes.csv"}
    response = await client.post("/files", content=body, headers=headers)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["size"] == len(body) and made["sha256"] == hashlib.sha256(body).hexdigest()
    assert made["filename"] == "clientes.csv" and made["id"].startswith("RmlsZT")  # "File:"
    got = await client.get(f"/files/{made['id']}", headers=editor.headers)
    assert got.status_code == 200 and got.content == body
    assert got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"clientes.csv\"; filename*=UTF-8''clientes.csv"
    )
    assert got.headers["x-content-type-options"] == "nosniff"


async def test_multipart_upload(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    body = b"\x00\x01binary\r\n--not-a-boundary\r\n" * 40_000
    form = {**editor.headers, "X-Requested-With": "clientbase-test"}
    response = await client.post(
        "/files",
        headers=form,
        data={"note": "before the file"},
        files={"file": ("relatório.xlsx", body, "application/vnd.ms-excel")},
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert (made["filename"], made["size"]) == ("relatório.xlsx", len(body))
    got = await client.get(f"/files/{made['id']}", headers=editor.headers)
    assert got.content == body and got.headers["content-type"] == "application/vnd.ms-excel"
    assert "filename*=UTF-8''relat%C3%B3rio.xlsx" in got.headers["content-disposition"]
    missing = await client.post("/files", headers=form, files={"other": ("a", b"x")})
    assert missing.status_code == 400
    assert "no field named 'file'" in missing.json()["errors"][0]["message"]


async def test_too_large_is_413_and_stores_nothing(
    small_limit_client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    big = b"x" * (3 * 1024 * 1024 + 1)

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: only counting can tell
        for start in range(0, len(big), 65_536):
            yield big[start : start + 65_536]

    refused = await small_limit_client.post("/files", content=streamed(), headers=editor.headers)
    assert refused.status_code == 413
    assert refused.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    declared = await small_limit_client.post("/files", content=big * 2, headers=editor.headers)
    assert declared.status_code == 413
    multipart = await small_limit_client.post(
        "/files", headers={**editor.headers, "Apollo-Require-Preflight": "true"},
        files={"file": ("big.bin", big)},
    )  # fmt: skip
    assert multipart.status_code == 413
    assert await _count_files(database, editor.tenant_id) == 0
    fits = await small_limit_client.post("/files", content=big[:-1], headers=editor.headers)
    assert fits.status_code == 201


async def test_other_tenants_readers_and_strangers(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = (await client.post("/files", content=b"secret", headers=editor.headers)).json()
    other = await committed_tenant(database, Role.ADMIN)
    hidden = await client.get(f"/files/{made['id']}", headers=other.headers)
    assert hidden.status_code == 404
    assert hidden.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    for bogus in (
        "nope",
        to_global_id("Customer", uuid.uuid4()),
        to_global_id("File", uuid.uuid4()),
    ):
        assert (await client.get(f"/files/{bogus}", headers=editor.headers)).status_code == 404
    assert (await client.get(f"/files/{made['id']}")).status_code == 401
    assert (await client.post("/files", content=b"x")).status_code == 401
    reader = await committed_tenant(database, Role.READER)
    assert (await client.post("/files", content=b"x", headers=reader.headers)).status_code == 403
