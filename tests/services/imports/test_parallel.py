"""Large imports normalise their rows in a process pool: the outcome is the in-thread one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Executor

import pytest

from clientbase.core.db import Database
from clientbase.services.imports import parallel, pipeline
from tests.helpers import committed_tenant
from tests.services.imports.helpers import counts, import_file, row_errors, rows

CSV = (
    "code,legal_name,tax_id,tax_id_country,phone,email,category\n"
    "P-1,Padaria São João Ltda,11.222.333/0001-81,BR,+55 (11) 98765-4321,Vendas@Padaria.com.br,\n"
    "P-2,Oficina Dois,,,+351 912 345 678,,\n"
    "P-3,CNPJ Errado Ltda,11.222.333/0001-82,BR,,,\n"
    "P-4,E-mail Errado,,,,sem-arroba,\n"
    "P-5,Categoria Que Falta,,,,,Varejo\n"
).encode()
STORED = ("SELECT code, legal_name, name_key, tax_id, tax_id_key, phone, phone_digits, email "
          "FROM customer ORDER BY code")  # fmt: skip


async def _outcome(database: Database) -> tuple[object, ...]:
    tenant = await committed_tenant(database)
    job = await import_file(database, tenant.tenant_id, CSV)
    stored = [tuple(r) for r in await rows(database, tenant.tenant_id, STORED)]
    return counts(job), await row_errors(database, job), stored


async def test_a_pool_of_processes_gives_the_in_thread_outcome(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_thread = await _outcome(database)

    pools: list[Executor | None] = []

    @contextlib.contextmanager
    def recorded(total_rows: int, processes: int) -> Iterator[Executor | None]:
        with parallel.normaliser_pool(total_rows, max(processes, 1)) as pool:
            pools.append(pool)
            yield pool

    monkeypatch.setattr(parallel, "PARALLEL_FROM_ROWS", 1)
    monkeypatch.setattr(pipeline, "normaliser_pool", recorded)
    pooled = await _outcome(database)

    assert len(pools) == 1 and pools[0] is not None
    assert pooled == in_thread
    status, errors, stored = pooled
    assert status["status"] == "PARTIAL" and status["failed"] == 3  # type: ignore[index]
    assert [code for code, *_ in stored] == ["P-1", "P-2"]
    assert [(number, column) for number, column, _ in errors] == [
        (4, "tax_id"),
        (5, "email"),
        (6, "category"),
    ]
