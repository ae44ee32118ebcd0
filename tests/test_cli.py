"""The command line against the test database: tenants, API keys printed once, revocation."""

from __future__ import annotations

import uuid

from typer.testing import CliRunner

from clientbase.cli import app
from clientbase.services.auth import keys

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


def test_tenant_duplicates_sets_thresholds_and_rules() -> None:
    slug = f"cli-{uuid.uuid4().hex[:10]}"
    assert runner.invoke(app, ["tenant", "create", slug]).exit_code == 0
    done = runner.invoke(app, ["tenant", "duplicates", slug, "--review", "0.6", "--likely",
                               "0.9", "--on-likely", "block"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "review >= 0.6, likely >= 0.9, ALLOW / BLOCK" in done.output
    inverted = runner.invoke(app, ["tenant", "duplicates", slug, "--review", "0.9",
                                   "--likely", "0.5"])  # fmt: skip
    assert inverted.exit_code == 1 and "0 < review <= likely <= 1" in inverted.output
    bad = runner.invoke(app, ["tenant", "duplicates", slug, "--on-review", "maybe"])
    assert bad.exit_code == 1 and "ALLOW, WARN or BLOCK" in bad.output
