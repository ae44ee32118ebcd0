"""customersUpsert: matched by externalRef else code, per-item results, both error policies."""

from __future__ import annotations

import httpx

from clientbase.core.db import Database
from clientbase.services.auth.principal import Role
from tests.helpers import committed_tenant, gql, gql_errors

UPSERT = """mutation($inputs: [CustomerUpsertInput!]!, $policy: ErrorPolicy) {
  customersUpsert(inputs: $inputs, errorPolicy: $policy) {
    committed userErrors { field code message }
    results { index action customer { code legalName version externalRef }
              userErrors { field code message } } } }"""
COUNT = "{ customers { totalCount } }"


def _batch(n: int, prefix: str = "P") -> list[dict[str, str]]:
    return [{"code": f"{prefix}{i}", "legalName": f"Partner {i} S.A.", "externalRef": f"ext-{prefix}{i}"}
            for i in range(n)]  # fmt: skip


async def test_same_batch_twice_changes_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    first = (await gql(client, editor, UPSERT, {"inputs": _batch(5)}))["customersUpsert"]
    assert first["committed"] is True
    assert [r["action"] for r in first["results"]] == ["CREATED"] * 5
    second = (await gql(client, editor, UPSERT, {"inputs": _batch(5)}))["customersUpsert"]
    assert [r["action"] for r in second["results"]] == ["UNCHANGED"] * 5
    assert {r["customer"]["version"] for r in second["results"]} == {1}
    assert (await gql(client, editor, COUNT))["customers"]["totalCount"] == 5


async def test_matches_by_external_ref_then_code(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    await gql(client, editor, UPSERT, {"inputs": _batch(2)})
    renamed = [{"code": "P0-NEW", "legalName": "Renamed", "externalRef": "ext-P0"},
               {"code": "P1", "legalName": "By code"}]  # fmt: skip
    result = (await gql(client, editor, UPSERT, {"inputs": renamed}))["customersUpsert"]
    assert [r["action"] for r in result["results"]] == ["UPDATED", "UPDATED"]
    assert result["results"][0]["customer"]["code"] == "P0-NEW"
    assert result["results"][1]["customer"] == {
        "code": "P1",
        "legalName": "By code",
        "version": 2,
        "externalRef": "ext-P1",
    }
    assert (await gql(client, editor, COUNT))["customers"]["totalCount"] == 2


async def test_reject_all_writes_nothing(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    items = [*_batch(3), {"code": "", "legalName": "Bad"}]
    result = await gql(client, editor, UPSERT, {"inputs": items, "policy": "REJECT_ALL"})
    payload = result["customersUpsert"]
    assert payload["committed"] is False
    assert payload["results"][3]["userErrors"] == [
        {"field": ["inputs", "3", "code"], "code": "REQUIRED", "message": "`code` is required."}
    ]
    assert all(r["customer"] is None for r in payload["results"])
    assert (await gql(client, editor, COUNT))["customers"]["totalCount"] == 0


async def test_skip_failed_commits_the_good_items(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    items = [*_batch(2), {"code": "P0", "legalName": "Clashes on code", "externalRef": "other"},
             {"code": "OK", "legalName": "Fine"}]  # fmt: skip
    payload = (await gql(client, editor, UPSERT, {"inputs": items, "policy": "SKIP_FAILED"}))[
        "customersUpsert"
    ]
    assert payload["committed"] is True
    assert [r["action"] for r in payload["results"]] == ["CREATED", "CREATED", None, "CREATED"]
    assert payload["results"][2]["userErrors"][0]["code"] == "TAKEN"
    assert payload["results"][2]["userErrors"][0]["field"] == ["inputs", "2", "code"]
    assert (await gql(client, editor, COUNT))["customers"]["totalCount"] == 3


async def test_more_than_100_items_is_limit_exceeded(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    errors = await gql_errors(client, editor, UPSERT, {"inputs": _batch(101)})
    assert errors[0]["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "max_list_input"}
    assert (await gql(client, editor, COUNT))["customers"]["totalCount"] == 0
