"""GraphQL over HTTP: POST and JSON only, bounded bodies, no batches, the graphql-response
media type with its status codes, CSRF headers on form uploads, CORS origins."""

from __future__ import annotations

import json

import httpx

from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.core.http_rules import preferred_response_type
from clientbase.services.auth.principal import Role
from tests.helpers import app_client, committed_tenant

GRAPHQL_RESPONSE = "application/graphql-response+json"
MUTATION = 'mutation { productTypeCreate(input: {name: "X"}) { userErrors { code } } }'


async def test_mutations_and_queries_never_run_over_get(
    client: httpx.AsyncClient, database: Database
) -> None:
    admin = await committed_tenant(database, Role.ADMIN)
    for query in (MUTATION, "{ viewer { role } }"):
        response = await client.get("/graphql", params={"query": query}, headers=admin.headers)
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    listed = await client.post("/graphql", json={"query": "{ productTypes { totalCount } }"},
                               headers=admin.headers)  # fmt: skip
    assert listed.json()["data"] == {"productTypes": {"totalCount": 0}}


async def test_only_json_bodies_are_accepted(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    body = json.dumps({"query": "{ viewer { role } }"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml",
                         "multipart/form-data; boundary=x", "application/jsonx", None):  # fmt: skip
        headers = {**caller.headers, "X-Requested-With": "x"}
        if content_type:
            headers["Content-Type"] = content_type
        response = await client.post("/graphql", content=body, headers=headers)
        assert response.status_code == 415, content_type
        assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    ok = await client.post("/graphql", content=body, headers={
        **caller.headers, "Content-Type": "application/json; charset=utf-8"})  # fmt: skip
    assert ok.json() == {"data": {"viewer": {"role": "EDITOR"}},
                         "extensions": ok.json()["extensions"]}  # fmt: skip


async def test_batches_are_refused(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.READER)
    batch = [{"query": "{ viewer { role } }"}, {"query": "{ viewer { actor } }"}]
    response = await client.post("/graphql", json=batch, headers=caller.headers)
    assert response.status_code == 400
    assert response.text == "Batching is not enabled"


async def test_request_bodies_over_the_limit_are_413(database: Database) -> None:
    caller = await committed_tenant(database, Role.READER)
    settings = get_settings().model_copy(update={"max_request_bytes": 200})
    query = "{ viewer { role } }"
    fits = json.dumps({"query": query, "variables": {"pad": "x" * 100}}).encode()
    over = json.dumps({"query": query, "variables": {"pad": "x" * 200}}).encode()
    headers = {**caller.headers, "Content-Type": "application/json"}

    async def chunked(body: bytes):  # type: ignore[no-untyped-def]
        for start in range(0, len(body), 50):
            yield body[start : start + 50]

    async with app_client(settings) as client:
        assert (await client.post("/graphql", content=fits, headers=headers)).status_code == 200
        declared = await client.post("/graphql", content=over, headers=headers)
        assert declared.status_code == 413
        assert declared.json()["errors"][0]["message"] == (
            "The request body is over 200 bytes (max_request_bytes)."
        )
        streamed = await client.post("/graphql", content=chunked(over), headers=headers)
        assert streamed.status_code == 413
        assert (await client.post("/graphql", content=chunked(fits), headers=headers)).json()[
            "data"
        ] == {"viewer": {"role": "READER"}}


async def test_deeply_nested_or_scalar_json_is_a_400(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.READER)
    nested = '{"query": "{ viewer { role } }", "variables": {"a": ' + "[" * 100_000 + "]" * 100_000
    response = await client.post("/graphql", content=nested + "}}", headers={
        **caller.headers, "Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 400
    assert response.text == "The JSON body is nested too deeply."
    for scalar in ('"{ viewer { role } }"', "1", "null"):
        response = await client.post("/graphql", content=scalar, headers={
            **caller.headers, "Content-Type": "application/json"})  # fmt: skip
        assert (response.status_code, response.text) == (400, "The JSON body must be an object.")


async def test_graphql_response_media_type_and_status_codes(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.READER)
    invalid = {"query": "{ viewer { nope } }"}
    as_json = await client.post("/graphql", json=invalid, headers=caller.headers)
    assert as_json.status_code == 200
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["data"] is None

    modern = {**caller.headers, "Accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
    refused = await client.post("/graphql", json=invalid, headers=modern)
    assert refused.status_code == 400
    assert refused.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert "data" not in refused.json()
    assert refused.json()["errors"][0]["message"].startswith("Cannot query field 'nope'")
    too_deep = await client.post("/graphql", json={"query": "{ viewer { role } }" + "#" * 20_000},
                                 headers=modern)  # fmt: skip
    assert too_deep.status_code == 400 and "data" not in too_deep.json()

    ok = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=modern)
    assert ok.status_code == 200
    assert ok.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert ok.json()["data"] == {"viewer": {"role": "READER"}}
    # A resolver's error keeps the data entry (null here) and a 200.
    failed = await client.post("/graphql", json={"query": "{ customers(first: 101) { totalCount } }"},
                               headers=modern)  # fmt: skip
    assert failed.status_code == 200 and failed.json()["data"] is None

    unacceptable = await client.post("/graphql", json={"query": "{ viewer { role } }"},
                                     headers={**caller.headers, "Accept": "text/html"})  # fmt: skip
    assert unacceptable.status_code == 406


def test_accept_header_ranking() -> None:
    assert preferred_response_type(None) == "application/json"
    assert preferred_response_type("*/*") == "application/json"
    assert preferred_response_type(GRAPHQL_RESPONSE) == GRAPHQL_RESPONSE
    assert preferred_response_type(f"application/json, {GRAPHQL_RESPONSE}") == "application/json"
    assert preferred_response_type(f"application/json;q=0.5, {GRAPHQL_RESPONSE}") == (
        GRAPHQL_RESPONSE
    )
    assert preferred_response_type(f"{GRAPHQL_RESPONSE};q=0, text/html") is None


async def test_form_uploads_need_a_preflight_header(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        refused = await client.post("/files", content=b"a,b\n", headers={
            **editor.headers, "Content-Type": content_type})  # fmt: skip
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF"
    form = await client.post("/files", headers=editor.headers, files={"file": ("a.csv", b"a")})
    assert form.status_code == 403
    allowed = await client.post(
        "/files", headers={**editor.headers, "Apollo-Require-Preflight": "true"},
        files={"file": ("a.csv", b"a")},
    )  # fmt: skip
    assert allowed.status_code == 201
    raw = await client.post("/files", content=b"a,b\n", headers={
        **editor.headers, "Content-Type": "text/csv"})  # fmt: skip
    assert raw.status_code == 201


async def test_cors_origins_are_a_setting() -> None:
    settings = get_settings().model_copy(update={"cors_origins": ["https://app.example"]})
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}  # fmt: skip
    async with app_client(settings) as client:
        allowed = await client.options("/graphql", headers={
            **preflight, "Origin": "https://app.example"})  # fmt: skip
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        refused = await client.options("/graphql", headers={
            **preflight, "Origin": "https://evil.example"})  # fmt: skip
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
    async with app_client(get_settings()) as client:  # none configured: no CORS at all
        response = await client.options("/graphql", headers={
            **preflight, "Origin": "https://app.example"})  # fmt: skip
        assert "access-control-allow-origin" not in response.headers
