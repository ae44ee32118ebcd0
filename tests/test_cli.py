"""The command line against the test database: tenants, API keys printed once, revocation,
and import and export jobs run by a worker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
import python_calamine
from typer.testing import CliRunner

from clientbase.cli import app
from clientbase.services.auth import keys
from clientbase.services.exports import writers

runner = CliRunner()


def test_tenant_and_apikey_lifecycle() -> None:
    slug = f"cli-{uuid.uuid4().hex[:10]}"
    created = runner.invoke(app, ["tenant", "create", slug, "--name", "CLI Tenant"])
    assert created.exit_code == 0, created.output
    again = runner.invoke(app, ["tenant", "create", slug])
    assert again.exit_code == 1 and "taken" in again.output

    issued = runner.invoke(app, ["apikey", "create", "--tenant", slug, "--role", "editor"])
    assert issued.exit_code == 0, issued.output
    secret = issued.stdout.strip().splitlines()[-1]
    assert keys.is_well_formed(secret)

    listed = runner.invoke(app, ["apikey", "list", "--tenant", slug])
    assert listed.exit_code == 0
    assert secret[:9] in listed.stdout and secret not in listed.stdout

    key_id = issued.stderr.split("API key ")[1].split(" ")[0]
    revoked = runner.invoke(app, ["apikey", "revoke", "--tenant", slug, key_id])
    assert revoked.exit_code == 0, revoked.output


def test_bad_role_and_unknown_tenant_are_clear_errors() -> None:
    bad_role = runner.invoke(app, ["apikey", "create", "--tenant", "x", "--role", "owner"])
    assert bad_role.exit_code == 1 and "--role" in bad_role.output
    unknown = runner.invoke(app, ["apikey", "create", "--tenant", "no-such-tenant"])
    assert unknown.exit_code == 1 and "no tenant" in unknown.output


def test_schema_command_prints_the_sdl() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and "type Viewer" in result.stdout


def test_tenant_create_takes_a_default_country() -> None:
    slug = f"cli-{uuid.uuid4().hex[:10]}"
    created = runner.invoke(app, ["tenant", "create", slug, "--country", "br"])
    assert created.exit_code == 0, created.output
    bad = runner.invoke(app, ["tenant", "create", f"{slug}-x", "--country", "Brazil"])
    assert bad.exit_code == 1 and "ISO 3166-1" in bad.output


@pytest.fixture
def worker() -> Iterator[dramatiq.Worker]:
    from clientbase.workers.actors import broker

    broker.flush_all()
    running = dramatiq.Worker(broker, worker_timeout=100, worker_threads=2)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_import_then_export_with_a_progress_bar_and_a_download(
    worker: dramatiq.Worker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = f"cli-{uuid.uuid4().hex[:10]}"
    assert runner.invoke(app, ["tenant", "create", slug]).exit_code == 0
    source = tmp_path / "in.csv"
    source.write_text("code,legal_name\nC-1,=Alpha\nC-2,Beta\nC-10,Gamma\n", encoding="utf-8")
    imported = runner.invoke(app, ["import", str(source), "--entity", "customers",
                                   "--tenant", slug])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "3 created" in imported.output and "SUCCEEDED" in imported.output

    target = tmp_path / "out.xlsx"
    exported = runner.invoke(app, [
        "export", "--entity", "customers", "--format", "xlsx", "-o", str(target), "--tenant",
        slug, "--columns", "code,legalName", "--filter", '{"code": {"startsWith": "C-1"}}',
    ])  # fmt: skip
    assert exported.exit_code == 0, exported.output
    assert "2 rows written" in exported.output and "SUCCEEDED" in exported.output
    book = python_calamine.CalamineWorkbook.from_path(str(target))
    assert book.get_sheet_by_index(0).to_python() == [
        ["code", "legal_name"], ["C-1", "=Alpha"], ["C-10", "Gamma"]]  # fmt: skip

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 1)
    failed = runner.invoke(app, ["export", "--entity", "customers", "--format", "xlsx",
                                 "-o", str(tmp_path / "no.xlsx"), "--tenant", slug])  # fmt: skip
    assert failed.exit_code == 1 and "FAILED" in failed.output
    assert not (tmp_path / "no.xlsx").exists()
    bad = runner.invoke(app, ["export", "--entity", "planets", "-o", str(target),
                              "--tenant", slug])  # fmt: skip
    assert bad.exit_code == 1 and "not an exportable entity" in bad.output
