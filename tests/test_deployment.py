"""docker-compose.yml and the Dockerfile agree with the CLI (no Docker engine needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.main import get_command

from clientbase.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def _cli_commands() -> set[str]:
    return set(get_command(app).commands)  # type: ignore[attr-defined]


def test_services_and_their_order() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "api", "worker"}
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["redis"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"


def test_every_service_command_is_a_cli_command() -> None:
    services = _compose()["services"]
    commands = _cli_commands()
    for name in ("migrate", "api", "worker"):
        command = services[name]["command"]
        assert command[0] == "clientbase", name
        assert command[1] in commands, f"{name}: {command[1]} is not a clientbase command"
    assert {"dev", "serve", "worker", "migrate", "apikey", "tenant"} <= commands


def test_app_services_are_configured_for_production() -> None:
    services = _compose()["services"]
    for name in ("migrate", "api", "worker"):
        env = services[name]["environment"]
        assert env["CLIENTBASE_EMBEDDED"] == "0"
        assert env["CLIENTBASE_DATABASE_URL"].startswith("postgresql+asyncpg://clientbase_app")
        assert env["CLIENTBASE_REDIS_URL"].startswith("redis://redis:")


def test_dockerfile_is_multi_stage_and_not_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert (
        dockerfile.count("\nFROM ") + dockerfile.startswith("FROM ") >= 2
        or dockerfile.count("FROM ") >= 2
    )
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1] != "USER root"
    assert "COPY migrations" in dockerfile and "COPY alembic.ini" in dockerfile


def test_compose_waits_longer_than_the_shutdown_grace_of_api_and_worker() -> None:
    from clientbase.core.config import Settings

    services, settings = _compose()["services"], Settings()
    for name, grace in (("api", settings.api_shutdown_seconds),
                        ("worker", settings.worker_shutdown_seconds)):  # fmt: skip
        seconds = int(services[name]["stop_grace_period"].removesuffix("s"))
        assert seconds > grace, name
