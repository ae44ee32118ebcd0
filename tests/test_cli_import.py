"""`clientbase import` end to end: upload, a job on a real worker, progress, the exit code."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner, Result

from clientbase.cli import app
from clientbase.core.db import Database
from clientbase.models.customer import Customer
from tests.helpers import committed_tenant

runner = CliRunner()


async def _invoke(*args: str) -> Result:
    # The command runs its own event loop: off this test's loop, in a thread.
    return await asyncio.to_thread(runner.invoke, app, list(args))


async def test_import_command_imports_and_reports_failed_rows(
    tmp_path: Path, database: Database, worker: Any
) -> None:
    caller = await committed_tenant(database)
    source = tmp_path / "clientes.csv"
    source.write_text(
        "Código;Razão Social;E-mail;Telefone\n"
        "C-1;Padaria São João Ltda;Contato@Padaria.com.br;+55 (11) 98765-4321\n"
        "C-2;Oficina Dois;;\n"
        "C-3;Sem E-mail Válido;nao-e-um-email;\n",
        encoding="utf-8",
    )

    result = await _invoke("import", str(source), "--entity", "customers",
                           "--tenant", caller.slug)  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "PARTIAL" in result.output
    assert "failed rows: /files/" in result.output
    async with database.session(caller.tenant_id) as session:
        query = select(Customer.code, Customer.email, Customer.phone).order_by(Customer.code)
        stored = (await session.execute(query)).all()
    assert [tuple(row) for row in stored] == [
        ("C-1", "contato@padaria.com.br", "+5511987654321"),
        ("C-2", None, None),
    ]


async def test_import_command_exits_non_zero_when_the_job_fails(
    tmp_path: Path, database: Database, worker: Any
) -> None:
    caller = await committed_tenant(database)
    source = tmp_path / "unrelated.csv"
    source.write_text("colour,size\nred,10\n", encoding="utf-8")

    result = await _invoke("import", str(source), "--entity", "customers",
                           "--tenant", caller.slug)  # fmt: skip

    assert result.exit_code == 1
    assert "FAILED" in result.output
    assert "colour" in result.output  # the error names the column it could not place


async def test_dry_run_writes_nothing(tmp_path: Path, database: Database, worker: Any) -> None:
    caller = await committed_tenant(database)
    source = tmp_path / "one.csv"
    source.write_text("code,legal_name\nD-1,Dry Run Ltda\n", encoding="utf-8")

    result = await _invoke("import", str(source), "--entity", "customers", "--dry-run",
                           "--tenant", caller.slug)  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "SUCCEEDED" in result.output
    async with database.session(caller.tenant_id) as session:
        assert (await session.execute(select(Customer.id))).first() is None
