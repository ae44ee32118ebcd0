"""The bad-input corpus: each file gets a clear file-level or row-level error, the job
ends, and a failed file leaves nothing behind."""

from __future__ import annotations

import codecs
import uuid

import pytest

from clientbase.core.db import Database
from clientbase.services.imports.catalog import ImportEntity
from tests.helpers import committed_tenant
from tests.services.imports import corpus
from tests.services.imports.helpers import counts, import_file, row_errors, rows

FILE_ERRORS = [
    ("empty.csv", b"", "EMPTY"),
    ("blank.csv", b"\r\n  \r\n", "EMPTY"),
    ("header-only.csv", b"code,legal name\r\n", "NO_DATA"),
    ("duplicates.csv", b"code,Code,legal name\nC-1,C-1,A\n", "DUPLICATE_COLUMNS"),
    ("synonyms.csv", "code,Razão Social,legal name\nC-1,A,A\n".encode(), "DUPLICATE_COLUMNS"),
    ("unknown.csv", b"code,legal name,Favourite colour\nC-1,A,blue\n", "UNKNOWN_COLUMNS"),
    ("quote.csv", b'code,legal name\nC-1,"Never closed\nC-2,B\n', "MALFORMED"),
    ("image.csv", corpus.PNG, "BINARY"),
    ("noise.csv", bytes(range(256)) * 40, "BINARY"),
    ("bomb.xlsx", corpus.zip_bomb(), "UNSAFE_ARCHIVE"),
    ("parts.xlsx", corpus.too_many_parts(), "UNSAFE_ARCHIVE"),
    ("no-key.csv", b"legal name\nA\n", "MISSING_COLUMNS"),
    ("empty.xlsx", corpus.xlsx([["code", "legal name"]]), "NO_DATA"),
    ("list.jsonl", b'["not", "an object"]\n', "MALFORMED"),
]


@pytest.mark.parametrize(("name", "data", "code"), FILE_ERRORS, ids=[f[0] for f in FILE_ERRORS])
async def test_a_file_that_cannot_be_imported_fails_cleanly(
    database: Database, name: str, data: bytes, code: str
) -> None:
    tenant = await committed_tenant(database)
    job = await import_file(database, tenant.tenant_id, data, name)
    assert job.status == "FAILED" and job.error is not None
    assert f"{code}:" in job.error, job.error
    assert await rows(database, tenant.tenant_id, "SELECT id FROM customer") == []
    assert await rows(database, tenant.tenant_id, "SELECT id FROM import_row_error") == []


async def test_ragged_rows_nul_bytes_and_a_huge_field_are_row_errors(database: Database) -> None:
    tenant = await committed_tenant(database)
    huge = "x" * 200_000
    data = (
        "code,legal name,city\n"
        "C-1,Good,Lisboa\n"
        "C-2,Too,many,cells\n"
        "C-3,Too few\n"
        "C-4,Nul\x00here,Porto\n"
        f'C-5,"{huge}",Faro\n'
        "C-6,Also good,Braga,,\n"  # empty trailing cells are tolerated
    ).encode()
    job = await import_file(database, tenant.tenant_id, data)
    assert counts(job) == {
        "status": "PARTIAL",
        "processed": 6,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "failed": 4,
    }
    errors = await row_errors(database, job)
    assert [e for e in errors if e[0] in (3, 4)] == [(3, None, "RAGGED"), (4, None, "RAGGED")]
    assert (5, "legal name", "NUL") in errors
    assert (6, "legal name", "INVALID") in errors
    stored = await rows(database, tenant.tenant_id, "SELECT code FROM customer ORDER BY code")
    assert [r.code for r in stored] == ["C-1", "C-6"]


async def test_formula_cells_are_refused_row_by_row(database: Database) -> None:
    tenant = await committed_tenant(database)
    book = corpus.xlsx(
        [
            ["code", "legal name", "phone"],
            ["C-1", "Plain", ""],
            ["C-2", '=CONCAT("A","B")|AB', ""],
            [42, "Number code", ""],
        ]
    )
    job = await import_file(database, tenant.tenant_id, book, "book.xlsx")
    assert (job.created, job.failed) == (2, 1)
    assert await row_errors(database, job) == [(3, "legal name", "FORMULA")]
    stored = await rows(database, tenant.tenant_id, "SELECT code FROM customer ORDER BY code")
    assert [r.code for r in stored] == ["42", "C-1"]


async def test_unknown_columns_can_be_ignored_and_headers_remapped(database: Database) -> None:
    tenant = await committed_tenant(database)
    data = b"Cliente ID,Nome da empresa,Favourite colour\nC-1,Alpha,blue\n"
    job = await import_file(database, tenant.tenant_id, data,
                            mapping={"Cliente ID": "code", "nome da empresa": "legalName",
                                     "Favourite colour": None})  # fmt: skip
    assert counts(job)["created"] == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])
async def test_encodings_and_delimiters_are_detected(database: Database, encoding: str) -> None:
    tenant = await committed_tenant(database)
    text = "Código\tRazão Social\tCidade\r\nC-1\tAçaí Paraná Ltda\tSão Paulo\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        assert not data.startswith(codecs.BOM_UTF16_LE)
    job = await import_file(database, tenant.tenant_id, data)
    assert job.created == 1, job.error
    [row] = await rows(database, tenant.tenant_id, "SELECT legal_name, address_city FROM customer")
    assert tuple(row) == ("Açaí Paraná Ltda", "São Paulo")


async def test_jsonl_rows_with_bad_lines(database: Database) -> None:
    tenant = await committed_tenant(database)
    data = (
        b'{"code": "C-1", "legalName": "Alpha", "taxIdCountry": null}\n'
        b"\n"
        b"{not json\n"
        b'{"code": "C-3", "legalName": {"nested": true}}\n'
        b'{"code": 4, "legalName": "Delta", "extra": 1}\n'
        b'{"code": "C-5", "legalName": "Echo"}\n'
    )
    job = await import_file(database, tenant.tenant_id, data, "rows.jsonl")
    assert (job.created, job.failed) == (2, 3)
    errors = await row_errors(database, job)
    assert {(n, code) for n, _, code in errors} == {
        (3, "MALFORMED"),
        (4, "MALFORMED"),
        (5, "RAGGED"),
    }


async def test_a_missing_upload_or_an_other_entity_file_is_clear(database: Database) -> None:
    tenant = await committed_tenant(database)
    job = await import_file(
        database, tenant.tenant_id, b"name,kind\nX,PRODUCT\n", entity=ImportEntity.CONTACTS
    )
    assert job.status == "FAILED" and "UNKNOWN_COLUMNS" in (job.error or "")
    assert uuid.UUID(str(job.id))
