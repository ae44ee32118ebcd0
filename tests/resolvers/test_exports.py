"""exportStart over GraphQL: its payload and userErrors, the Job's downloadUrl, and the
download itself: same tenant only, and gone once the link expired."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from sqlalchemy import func, text, update

from clientbase.core.db import Database
from clientbase.models.file import File
from clientbase.schema.ids import from_global_id
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql
from tests.services.exports.helpers import run, seed_registry
from tests.services.jobs.factories import read_job

START = """
mutation($input: ExportStartInput!) {
  exportStart(input: $input) { job { id kind status downloadUrl } userErrors { field code message } }
}"""
JOB = """
query($id: ID!) { node(id: $id) { ... on Job {
  status progress { total processed } downloadUrl downloadExpiresAt
} } }"""


async def _finish(database: Database, tenant_id: Any, global_id: str) -> None:
    _, job_id = from_global_id(global_id)
    await run(database, await read_job(database, tenant_id, job_id))


async def test_export_start_gives_a_download_for_the_same_tenant_only(
    client: httpx.AsyncClient, export_database: Database
) -> None:
    caller = await committed_tenant(export_database, Role.READER)
    await seed_registry(export_database, caller.tenant_id)
    variables = {"input": {"entity": "CONTACTS", "format": "CSV",
                           "columns": ["fullName", "customerCode", "customer_name"],
                           "filter": {"contacts": {"customer": {"code": {"eq": "C-1"}}}}}}  # fmt: skip
    started = (await gql(client, caller, START, variables))["exportStart"]
    assert started["userErrors"] == []
    assert started["job"]["kind"] == "EXPORT" and started["job"]["status"] == "QUEUED"
    assert started["job"]["downloadUrl"] is None
    job_id = started["job"]["id"]
    await _finish(export_database, caller.tenant_id, job_id)
    job = (await gql(client, caller, JOB, {"id": job_id}))["node"]
    assert job["status"] == "SUCCEEDED" and job["progress"] == {"total": 2, "processed": 2}
    assert job["downloadExpiresAt"] is not None
    got = await client.get(job["downloadUrl"], headers=caller.headers)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    assert list(csv.reader(io.StringIO(got.text))) == [
        ["full_name", "customer_code", "customer_name"],
        ["João Lima", "C-1", "Padaria São João"],
        ["Maria Souza", "C-1", "Padaria São João"],
    ]
    other = await committed_tenant(export_database)
    stranger = await client.get(job["downloadUrl"], headers=other.headers)
    assert stranger.status_code == 404


async def test_an_expired_link_is_gone_with_a_clear_message(
    client: httpx.AsyncClient, export_database: Database
) -> None:
    caller = await committed_tenant(export_database)
    started = (await gql(client, caller, START, {"input": {"entity": "SITES"}}))["exportStart"]
    await _finish(export_database, caller.tenant_id, started["job"]["id"])
    job = (await gql(client, caller, JOB, {"id": started["job"]["id"]}))["node"]
    assert (await client.get(job["downloadUrl"], headers=caller.headers)).status_code == 200
    _, file_id = from_global_id(job["downloadUrl"].rsplit("/", 1)[1])
    async with export_database.session(caller.tenant_id) as session:
        await session.execute(update(File).where(File.id == file_id)
                              .values(expires_at=func.now() - text("interval '1 second'")))  # fmt: skip
        await session.commit()
    gone = await client.get(job["downloadUrl"], headers=caller.headers)
    assert gone.status_code == 410
    error = gone.json()["errors"][0]
    assert error["extensions"]["code"] == "EXPIRED" and "expired" in error["message"]


async def test_bad_start_inputs_are_user_errors_naming_the_field(
    client: httpx.AsyncClient, export_database: Database
) -> None:
    caller = await committed_tenant(export_database)

    async def errors(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
        found = (await gql(client, caller, START, {"input": payload}))["exportStart"]
        assert found["job"] is None
        return [(e["field"], e["code"]) for e in found["userErrors"]]

    assert await errors({"entity": "CUSTOMERS", "columns": ["code", "nope", "code"]}) == [
        (["input", "columns", "1"], "INVALID"), (["input", "columns", "2"], "INVALID")]  # fmt: skip
    assert await errors({"entity": "CUSTOMERS", "columns": []}) == [
        (["input", "columns"], "REQUIRED")
    ]
    assert await errors({"entity": "SITES", "filter": {"customers": {}}}) == [
        (["input", "filter", "customers"], "INVALID")
    ]
    assert await errors({"entity": "SITES", "format": "XLSX", "bom": True}) == [
        (["input", "bom"], "INVALID")
    ]
    assert await errors({"entity": "CONTACTS",
                         "filter": {"contacts": {"id": {"eq": "not-an-id"}}}}) == [
        (["input", "filter", "id"], "INVALID")]  # fmt: skip


CANCEL = "mutation($id: ID!) { jobCancel(id: $id) { job { status } userErrors { field code } } }"


async def test_a_reader_cancels_the_exports_it_started_and_no_other_job(
    client: httpx.AsyncClient, export_database: Database
) -> None:
    reader = await committed_tenant(export_database, Role.READER)
    async with export_database.session(reader.tenant_id) as session:
        tenant = await auth.get_tenant(session, reader.tenant_id)
        assert tenant is not None
        issued = await auth.create_api_key(session, tenant, Role.EDITOR, name="editor")
        await session.commit()
    editor = TenantWithKey(reader.tenant_id, reader.slug, issued.secret, issued.api_key.id)
    variables = {"input": {"entity": "CUSTOMERS"}}
    mine = (await gql(client, reader, START, variables))["exportStart"]["job"]["id"]
    theirs = (await gql(client, editor, START, variables))["exportStart"]["job"]["id"]

    refused = (await gql(client, reader, CANCEL, {"id": theirs}))["jobCancel"]
    assert refused["job"] is None
    assert refused["userErrors"] == [{"field": ["id"], "code": "FORBIDDEN"}]
    cancelled = (await gql(client, reader, CANCEL, {"id": mine}))["jobCancel"]
    assert cancelled["userErrors"] == [] and cancelled["job"]["status"] == "CANCELLED"
    # An editor cancels any job of the tenant.
    assert (await gql(client, editor, CANCEL, {"id": theirs}))["jobCancel"]["userErrors"] == []
