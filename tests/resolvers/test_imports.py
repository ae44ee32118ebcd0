"""importStart, the Job's rowErrors and errorReportUrl, and importRollback over GraphQL."""

from __future__ import annotations

from typing import Any

import httpx

from clientbase.core.db import Database
from clientbase.schema.ids import from_global_id
from tests.helpers import committed_tenant, gql
from tests.services.imports.helpers import run
from tests.services.jobs.factories import read_job

START = """
mutation($input: ImportStartInput!) {
  importStart(input: $input) { job { id kind status } userErrors { field code message } }
}"""
JOB = """
query($id: ID!) { node(id: $id) { ... on Job {
  status progress { processed created failed }
  rowErrors(first: 10) { totalCount nodes { rowNumber column code message raw } }
  errorReportUrl
} } }"""
ROLLBACK = """
mutation($id: ID!) { importRollback(jobId: $id) { job { id } userErrors { field code } } }"""


async def _upload(client: httpx.AsyncClient, headers: dict[str, str], body: bytes) -> str:
    response = await client.post("/files", content=body,
                                 headers={**headers, "Content-Type": "text/csv",
                                          "X-Filename": "customers.csv"})  # fmt: skip
    assert response.status_code in (200, 201), response.text
    file_id: str = response.json()["id"]
    return file_id


async def _finish(database: Database, tenant_id: Any, global_id: str) -> None:
    _, job_id = from_global_id(global_id)
    await run(database, await read_job(database, tenant_id, job_id))


async def test_import_start_runs_and_reports_its_row_errors(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database)
    file_id = await _upload(client, caller.headers,
                            "Código,Razão Social\nC-1,Alpha\nC-2,\n".encode())  # fmt: skip
    variables = {"input": {"fileId": file_id, "entity": "CUSTOMERS", "mode": "UPSERT",
                           "mapping": [{"column": "Código", "field": "code"}]}}  # fmt: skip
    started = (await gql(client, caller, START, variables))["importStart"]
    assert started["userErrors"] == [] and started["job"]["kind"] == "IMPORT"
    job_id = started["job"]["id"]
    await _finish(database, caller.tenant_id, job_id)
    job = (await gql(client, caller, JOB, {"id": job_id}))["node"]
    assert job["status"] == "PARTIAL"
    assert job["progress"] == {"processed": 2, "created": 1, "failed": 1}
    assert job["rowErrors"]["totalCount"] == 1
    assert job["rowErrors"]["nodes"] == [
        {
            "rowNumber": 3,
            "column": "Razão Social",
            "code": "REQUIRED",
            "raw": ["C-2", ""],
            "message": "`legalName` is required.",
        }
    ]
    report = await client.get(job["errorReportUrl"], headers=caller.headers)
    assert report.status_code == 200
    assert report.content.decode("utf-8-sig").splitlines()[1] == (
        "C-2,,Razão Social: `legalName` is required."
    )

    undo = (await gql(client, caller, ROLLBACK, {"id": job_id}))["importRollback"]
    assert undo["userErrors"] == []
    await _finish(database, caller.tenant_id, undo["job"]["id"])
    rolled = (await gql(client, caller, JOB, {"id": undo["job"]["id"]}))["node"]
    assert rolled["status"] == "SUCCEEDED"


async def test_bad_start_inputs_are_user_errors(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database)
    file_id = await _upload(client, caller.headers, b"code\nC-1\n")
    bad_field = {"input": {"fileId": file_id, "entity": "SITES",
                           "mapping": [{"column": "code", "field": "legalName"}]}}  # fmt: skip
    errors = (await gql(client, caller, START, bad_field))["importStart"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVALID"]
    assert errors[0]["field"] == ["input", "mapping", "0", "field"]
    missing = {"input": {"fileId": "bm9wZQ", "entity": "CUSTOMERS"}}
    errors = (await gql(client, caller, START, missing))["importStart"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "fileId"], "NOT_FOUND")]
    running = (await gql(client, caller, START, {"input": {"fileId": file_id,
                                                            "entity": "CUSTOMERS"}}))  # fmt: skip
    job_id = running["importStart"]["job"]["id"]
    errors = (await gql(client, caller, ROLLBACK, {"id": job_id}))["importRollback"]["userErrors"]
    assert errors == [{"field": ["jobId"], "code": "INVALID_STATE"}]
