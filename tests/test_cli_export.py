"""`clientbase export` end to end: a job on a real worker, progress, the download, the exit
code."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import python_calamine
from typer.testing import CliRunner

from clientbase.cli import app
from clientbase.services.exports import writers

runner = CliRunner()


def test_import_then_export_with_a_progress_bar_and_a_download(
    worker: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
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
