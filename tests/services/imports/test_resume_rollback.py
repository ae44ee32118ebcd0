"""A killed import resumes to the state of a clean run; rollback undoes what it may; the
error report holds the failed rows, ready to be fixed and imported again."""

from __future__ import annotations

from typing import Any

import pytest

from clientbase.core.db import Database
from clientbase.services.files import service as files
from clientbase.services.imports import pipeline
from clientbase.services.imports import service as imports
from clientbase.services.imports.catalog import ImportEntity
from tests.helpers import committed_tenant
from tests.services.imports.helpers import actor, counts, import_file, row_errors, rows, run, start

CUSTOMERS = "code,legal name,city\n" + "".join(
    f"C-{i:03},Customer {i},{'' if i % 7 else 'x' * 121}\n" for i in range(1, 41)
)
STATE = "SELECT code, legal_name, address_city, version FROM customer ORDER BY code"


async def test_a_killed_import_resumes_with_no_row_twice_and_none_missing(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 6)
    clean_tenant = await committed_tenant(database)
    clean = await import_file(database, clean_tenant.tenant_id, CUSTOMERS.encode())

    tenant = await committed_tenant(database)
    job = await start(database, tenant.tenant_id, CUSTOMERS.encode())
    real_insert = pipeline.insert_row_errors
    calls = {"n": 0}

    async def dying(*args: Any) -> None:
        calls["n"] += 1
        await real_insert(*args)
        if calls["n"] == 3:
            # The worker dies with the third chunk written but not committed.
            raise ConnectionError("worker killed")

    monkeypatch.setattr(pipeline, "insert_row_errors", dying)
    with pytest.raises(ConnectionError):
        await run(database, job)
    halfway = await rows(database, tenant.tenant_id, STATE)
    assert len(halfway) == 11  # two chunks of 6 committed (C-007 failed), the third not
    monkeypatch.setattr(pipeline, "insert_row_errors", real_insert)
    resumed = await run(database, job)
    assert counts(resumed) == counts(clean)
    assert [tuple(r) for r in await rows(database, tenant.tenant_id, STATE)] == [
        tuple(r) for r in await rows(database, clean_tenant.tenant_id, STATE)
    ]
    assert [e[:2] for e in await row_errors(database, resumed)] == [
        e[:2] for e in await row_errors(database, clean)
    ]


async def test_the_error_report_holds_the_failed_rows_and_imports_again(
    database: Database,
) -> None:
    tenant = await committed_tenant(database)
    job = await import_file(database, tenant.tenant_id, CUSTOMERS.encode())
    assert (job.created, job.failed) == (35, 5)
    file_id = imports.error_report_file_id(job)
    assert file_id is not None
    async with database.session(tenant.tenant_id) as session:
        report = b"".join([chunk async for chunk in files.open_chunks(session, file_id)])
        stored = await files.get_file(session, file_id)
        assert stored is not None and stored.purpose == "ERROR_REPORT"
    lines = report.decode("utf-8-sig").splitlines()
    assert lines[0] == "code,legal name,city,error"
    assert len(lines) == 6 and lines[1].startswith("C-007,Customer 7,xxx")
    assert "city: `address.city` is longer than 120 characters." in lines[1]
    fixed = report.decode("utf-8-sig").replace("x" * 121, "Faro").encode()
    again = await import_file(database, tenant.tenant_id, fixed, "report.csv")
    assert (again.updated, again.created, again.failed) == (0, 5, 0)


async def test_rollback_undoes_creations_and_updates_unless_changed_since(
    database: Database,
) -> None:
    tenant = await committed_tenant(database)
    t = tenant.tenant_id
    await import_file(database, t, b"code,legal name\nA,Alpha\nB,Beta\n")
    before = [tuple(r) for r in await rows(database, t, STATE)]
    second = await import_file(
        database, t, b"code,legal name\nA,Alpha 2\nB,Beta 2\nC,Gamma\nD,Delta\n"
    )
    assert (second.created, second.updated) == (2, 2)
    # Someone edits B and D after the import: those two stay as they are.
    async with database.session(t) as session:
        from sqlalchemy import text

        await session.execute(
            text(
                "UPDATE customer SET legal_name = legal_name || '!', "
                "version = version + 1 WHERE code IN ('B', 'D')"
            )
        )
        await session.commit()
    async with database.session(t) as session:
        undo = await imports.start_rollback(session, actor(t), second.id)
        await session.commit()
    undone = await run(database, undo)
    assert counts(undone) == {
        "status": "PARTIAL",
        "processed": 4,
        "created": 0,
        "updated": 2,
        "skipped": 0,
        "failed": 2,
    }
    after = {r.code: (r.legal_name, r.version) for r in await rows(database, t, STATE)}
    assert after == {"A": ("Alpha", 3), "B": ("Beta 2!", 3), "D": ("Delta!", 2)}
    assert {e[2] for e in await row_errors(database, undone)} == {"VERSION_CONFLICT"}
    assert before[0][:2] == ("A", "Alpha")
    # Nothing is undone twice.
    async with database.session(t) as session:
        again = await imports.start_rollback(session, actor(t), second.id)
        await session.commit()
    repeated = await run(database, again)
    assert (repeated.updated, repeated.failed) == (0, 2)


async def test_only_a_finished_real_import_can_be_rolled_back(database: Database) -> None:
    from clientbase.services.errors import DomainError

    tenant = await committed_tenant(database)
    dry = await import_file(database, tenant.tenant_id, b"code,legal name\nA,Alpha\n", dry_run=True)
    queued = await start(
        database, tenant.tenant_id, b"code,legal name\nB,B\n", entity=ImportEntity.CUSTOMERS
    )
    for job in (dry, queued):
        async with database.session(tenant.tenant_id) as session:
            with pytest.raises(DomainError):
                await imports.start_rollback(session, actor(tenant.tenant_id), job.id)
