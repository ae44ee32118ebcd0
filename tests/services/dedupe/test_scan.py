"""The DUPLICATE_SCAN job on real PostgreSQL: pairs with reasons, clusters, dismissals that
hold until a record changes, scans of changed customers only, resumption in chunks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from clientbase.core.db import Database
from clientbase.services.dedupe import candidates, scan
from clientbase.services.dedupe import handler as dedupe_handler
from clientbase.services.jobs.runner import run_job
from clientbase.services.jobs.stopping import JobInterrupted
from tests.helpers import committed_tenant
from tests.services.dedupe.helpers import add, change, pairs
from tests.services.dedupe.helpers import scan as run_scan
from tests.services.jobs.factories import read_job, system


async def _published(job_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
    return None


async def _world(database: Database) -> tuple[uuid.UUID, dict[str, uuid.UUID]]:
    tenant_id = (await committed_tenant(database)).tenant_id
    made = {
        "padaria": await add(database, tenant_id, legal_name="Padaria São João Ltda",
                             tax_id="11.222.333/0001-81", tax_id_country="BR",
                             phone="+55 11 98765-4321"),
        "padaria2": await add(database, tenant_id, legal_name="PADARIA SAO JOAO",
                              phone="+55 (11) 987654321"),
        "padaria3": await add(database, tenant_id, legal_name="Padaria Sao Joao",
                              email="compras@padaria-sj.com.br",
                              contacts=[{"full_name": "Ana", "phone": "+55 11 98765 4321"}]),
        "oficina": await add(database, tenant_id, legal_name="Oficina Boa Vista",
                             phone="+55 21 2555-0000"),
        "ana": await add(database, tenant_id, kind="PERSON", legal_name="Ana Maria Souza",
                         birth_date=dt.date(1980, 5, 4)),
        "ana2": await add(database, tenant_id, kind="PERSON", legal_name="Ana Souza",
                          birth_date=dt.date(1980, 5, 4)),
        "bia": await add(database, tenant_id, kind="PERSON", legal_name="Beatriz Souza",
                         birth_date=dt.date(1990, 7, 30)),
    }  # fmt: skip
    return tenant_id, made


async def test_a_scan_finds_the_pairs_with_reasons_and_clusters(database: Database) -> None:
    tenant_id, c = await _world(database)
    job = await run_scan(database, tenant_id)
    assert (job.status, job.processed, job.total) == ("SUCCEEDED", 7, 7)
    found = await pairs(database, tenant_id)
    expected = {frozenset((c["padaria"], c["padaria2"])), frozenset((c["padaria"], c["padaria3"])),
                frozenset((c["padaria2"], c["padaria3"])), frozenset((c["ana"], c["ana2"]))}  # fmt: skip
    assert set(found) == expected
    assert job.created == len(expected)
    first = found[frozenset((c["padaria"], c["padaria2"]))]
    assert first.band == "LIKELY" and first.status == "OPEN"
    assert first.customer_a_id < first.customer_b_id
    assert {(r["field"], r["method"]) for r in first.reasons} >= {("legalName", "exact"),
                                                                  ("phone", "digits")}  # fmt: skip
    assert {(r["field"], r["method"]) for r in
            found[frozenset((c["padaria"], c["padaria3"]))].reasons} >= {("contactPhone", "digits")}  # fmt: skip
    # One cluster of three bakeries, one of two persons, each named by its smallest id.
    bakeries = {found[p].cluster_id for p in expected if c["ana"] not in p}
    assert bakeries == {min(c["padaria"], c["padaria2"], c["padaria3"])}
    assert found[frozenset((c["ana"], c["ana2"]))].cluster_id == min(c["ana"], c["ana2"])
    # Scanning again finds the same pairs and creates none.
    again = await run_scan(database, tenant_id)
    assert (again.created, again.updated) == (0, len(expected))
    assert set(await pairs(database, tenant_id)) == expected


async def test_a_dismissed_pair_stays_dismissed_until_a_record_changes(
    database: Database,
) -> None:
    tenant_id, c = await _world(database)
    await run_scan(database, tenant_id)
    key = frozenset((c["ana"], c["ana2"]))
    candidate = (await pairs(database, tenant_id))[key]
    async with database.session(tenant_id) as session:
        dismissed = await candidates.dismiss(session, system(tenant_id), candidate.id)
        assert dismissed.status == "DISMISSED"
        await session.commit()
    await run_scan(database, tenant_id)
    assert (await pairs(database, tenant_id))[key].status == "DISMISSED"
    # Any change to one of the records brings the pair back for review.
    await change(database, tenant_id, c["ana2"], email="ana.souza@example.com")
    await run_scan(database, tenant_id)
    again = (await pairs(database, tenant_id))[key]
    assert (again.status, again.resolved_at) == ("OPEN", None)


async def test_changed_only_scans_and_pairs_that_no_longer_match(database: Database) -> None:
    tenant_id, c = await _world(database)
    await run_scan(database, tenant_id)
    # Nothing changed since: nothing scanned, nothing dropped.
    quiet = await run_scan(database, tenant_id, only_changed=True)
    assert (quiet.status, quiet.total, quiet.processed) == ("SUCCEEDED", 0, 0)
    assert len(await pairs(database, tenant_id)) == 4
    # Ana's namesake becomes someone else: that pair goes; a new one appears.
    await change(database, tenant_id, c["ana2"], legal_name="Carla Mendes",
                 birth_date=dt.date(1970, 1, 1))  # fmt: skip
    newcomer = await add(database, tenant_id, legal_name="Oficina Boa Vista Ltda",
                         phone="+55 21 2555-0000")  # fmt: skip
    job = await run_scan(database, tenant_id, only_changed=True)
    assert (job.total, job.processed) == (2, 2)
    found = await pairs(database, tenant_id)
    assert frozenset((c["ana"], c["ana2"])) not in found
    assert frozenset((c["oficina"], newcomer)) in found
    assert len(found) == 4


async def test_a_scan_resumes_from_its_checkpoint(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant_id, _ = await _world(database)
    monkeypatch.setattr(scan, "SET_CHUNK", 2)
    job = await run_scan(database, tenant_id)
    assert (job.status, job.processed) == ("SUCCEEDED", 7)
    # The checkpoint is the last customer in the scan's order: by name key, then id.
    async with database.session(tenant_id) as session:
        last = (await session.execute(text(
            "SELECT name_key, id FROM customer ORDER BY name_key COLLATE \"C\" DESC, id DESC "
            "LIMIT 1"))).one()  # fmt: skip
    assert job.checkpoint == {"name": last.name_key, "after": str(last.id)}
    assert len(await pairs(database, tenant_id)) == 4


@pytest.mark.parametrize("pooled", [False, True])
async def test_a_scan_killed_after_a_chunk_resumes_and_stores_each_pair_once(
    database: Database, monkeypatch: pytest.MonkeyPatch, pooled: bool
) -> None:
    tenant_id, _ = await _world(database)
    monkeypatch.setattr(scan, "SET_CHUNK", 2)
    if pooled:
        monkeypatch.setattr(scan, "SCORE_IN_POOL_FROM", 0)
        monkeypatch.setattr(dedupe_handler, "scoring_processes", lambda: 1)
    stored: list[frozenset[uuid.UUID]] = []
    real = scan._store_chunk

    async def store_then_die(run: Any, count: int, checkpoint: Any, found: list[Any]) -> None:
        await real(run, count, checkpoint, found)
        stored.extend(frozenset((p.a_id, p.b_id)) for p in found)
        if len(stored) and not killed:
            killed.append(checkpoint)
            raise JobInterrupted  # the worker stops right after this chunk committed

    killed: list[Any] = []
    monkeypatch.setattr(scan, "_store_chunk", store_then_die)
    async with database.session(tenant_id) as session:
        job = await candidates.start_scan(session, system(tenant_id))
        await session.commit()
    with pytest.raises(JobInterrupted):
        await run_job(job.id, database, _published, tenant_id=tenant_id)
    first = await read_job(database, tenant_id, job.id)
    assert first.checkpoint == killed[0] and 0 < first.processed < 7
    await run_job(job.id, database, _published, tenant_id=tenant_id)
    done = await read_job(database, tenant_id, job.id)
    assert (done.status, done.processed, done.total) == ("SUCCEEDED", 7, 7)
    # Every pair stored exactly once over both runs, and the same pairs as a scan in one go.
    assert len(stored) == len(set(stored)) == 4
    assert set(stored) == set(await pairs(database, tenant_id))


@pytest.mark.parametrize("processes", [1, 2])
async def test_a_full_scan_scores_the_same_in_a_pool_of_processes(
    database: Database, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    tenant_id, c = await _world(database)
    monkeypatch.setattr(scan, "SET_CHUNK", 3)
    await run_scan(database, tenant_id)
    in_thread = {
        key: (p.score, p.band, p.reasons) for key, p in (await pairs(database, tenant_id)).items()
    }
    monkeypatch.setattr(scan, "SCORE_IN_POOL_FROM", 0)
    monkeypatch.setattr(dedupe_handler, "scoring_processes", lambda: processes)
    pooled = []
    original = scan.process_lanes

    def spy(size: int, processes: int, minimum: int) -> Any:
        pooled.append(processes)
        return original(size, processes, minimum)

    monkeypatch.setattr(scan, "process_lanes", spy)
    job = await run_scan(database, tenant_id)
    assert (job.status, job.updated, pooled) == ("SUCCEEDED", len(in_thread), [processes])
    again = {
        key: (p.score, p.band, p.reasons) for key, p in (await pairs(database, tenant_id)).items()
    }
    assert again == in_thread
    # A changed record is scored as it is now, never as a process held it in a former scan.
    await change(database, tenant_id, c["ana2"], email="ana.souza@example.com")
    await run_scan(database, tenant_id)
    pair = (await pairs(database, tenant_id))[frozenset((c["ana"], c["ana2"]))]
    versions = {pair.customer_a_id: pair.version_a, pair.customer_b_id: pair.version_b}
    async with database.session(tenant_id) as session:
        current = await session.scalar(text("SELECT version FROM customer WHERE id = :id"),
                                       {"id": c["ana2"]})  # fmt: skip
    assert versions[c["ana2"]] == current > 1


def test_clusters_are_connected_components() -> None:
    a, b, x, y, z = sorted(uuid.uuid4() for _ in range(5))
    roots = candidates.clusters([(b, z), (a, b), (x, y)])
    assert roots == {a: a, b: a, z: a, x: x, y: x}


async def test_a_pair_cannot_name_another_tenants_customer(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from clientbase.services.dedupe.scoring import Match

    mine = (await committed_tenant(database)).tenant_id
    theirs = (await committed_tenant(database)).tenant_id
    own = await add(database, mine, legal_name="Padaria Norte")
    foreign = await add(database, theirs, legal_name="Padaria Norte")
    job = await run_scan(database, mine)
    pair = candidates.ordered((own, 1), (foreign, 1), Match(0.9, 11.0, ()), "REVIEW")
    async with database.session(mine) as session:
        with pytest.raises(IntegrityError):
            await candidates.store(session, mine, job.id, [pair])
