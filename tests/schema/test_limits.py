"""Query limits at their default settings: each one just under passes, just over is refused
with an error that names it, before any resolver runs."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.schema.ids import to_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, app_client, committed_tenant, gql

CHAIN = ['customerByCode(code: "none")', "contacts(first: 1)", "nodes", "customer"]


def deep(depth: int) -> str:
    """An operation `depth` deep: the root field is at depth 0, its leaf at `depth`."""
    names = [CHAIN[0], *(CHAIN[1 + i % 3] for i in range(depth - 1)), "id"]
    return "{ " + " { ".join(names) + " }" * (len(names) - 1) + " }"


async def post(client: httpx.AsyncClient, caller: TenantWithKey, query: str,
               variables: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=caller.headers
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def messages(body: dict[str, Any]) -> str:
    return " | ".join(error["message"] for error in body.get("errors", []))


async def test_depth(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.READER)
    assert "errors" not in await post(client, caller, deep(10))
    refused = await post(client, caller, deep(11))
    assert "exceeds maximum operation depth of 10" in messages(refused)
    assert refused["data"] is None


async def test_aliases_with_fragment_spreads_counted(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.READER)
    fifteen = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(15)) + " }"
    assert "errors" not in await post(client, caller, fifteen)
    sixteen = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(16)) + " }"
    assert "16 aliases found. Allowed: 15" in messages(await post(client, caller, sixteen))
    # Eight aliases in a fragment spread twice are sixteen.
    twice = ("fragment F on Query { " + " ".join(f"f{i}: viewer {{ role }}" for i in range(8))
             + " } query { ...F ...F }")  # fmt: skip
    assert "16 aliases found. Allowed: 15" in messages(await post(client, caller, twice))


def tokens_document(typenames: int) -> str:
    """Two filters of 100 conditions (907 tokens each) and `typenames` fields."""
    conditions = ", ".join(['{code: {eq: "a"}}'] * 100)
    fields = [f"{a}: customers(filter: {{or: [{conditions}]}}) {{ totalCount }}" for a in "ab"]
    return "{ " + " ".join(fields) + " " + "__typename " * typenames + "}"


async def test_tokens(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.READER)
    assert "errors" not in await post(client, caller, tokens_document(166))  # 2,000 tokens
    over = await post(client, caller, tokens_document(167))
    assert "Document contains more than 2000 tokens" in messages(over)


async def test_directives_per_field_and_directive_overloading(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.READER)
    five = "{ viewer { role " + "@include(if: true) " * 5 + "} }"
    assert "max_directives_per_field" not in messages(await post(client, caller, five))
    six = "{ viewer { role " + "@include(if: true) " * 6 + "} }"
    assert "Field 'role' has 6 directives; the limit is 5 (max_directives_per_field)." in (
        messages(await post(client, caller, six))
    )
    overloaded = "{ __typename " + "@a " * 500 + "}"
    body = await post(client, caller, overloaded)
    assert "has 500 directives; the limit is 5" in messages(body)


async def test_document_characters(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.READER)
    query = "{ viewer { role } }\n"
    padding = "#" * (20_000 - len(query) - 1) + "\n"  # comments are characters, not tokens
    assert "errors" not in await post(client, caller, query + padding)
    refused = await post(client, caller, query + padding + " ")
    assert messages(refused) == (
        "The document has 20001 characters; the limit is 20000 (max_document_chars)."
    )
    assert refused["errors"][0]["extensions"] == {
        "code": "LIMIT_EXCEEDED", "limit": "max_document_chars"
    }  # fmt: skip
    # Checked before parsing: a long document never reaches the tokenizer.
    aliases = await post(
        client, caller, "{ " + " ".join(f"a{i}: __typename" for i in range(5000)) + " }"
    )
    assert messages(aliases).startswith("The document has 88893 characters")


async def test_page_size(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.READER)
    query = "query($n: Int) { customers(first: $n) { nodes { id } } }"
    assert "errors" not in await post(client, caller, query, {"n": 100})
    refused = await post(client, caller, query, {"n": 101})
    assert messages(refused) == "`first` is at most 100, got 101."


async def test_list_inputs_in_the_document_and_in_variables(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.READER)
    ids = [to_global_id("Customer", uuid.uuid4()) for _ in range(101)]
    literal = "{ nodes(ids: [%s]) { id } }"
    fits = await post(client, caller, literal % ", ".join(f'"{i}"' for i in ids[:100]))
    assert "errors" not in fits and fits["data"]["nodes"] == [None] * 100
    over = await post(client, caller, literal % ", ".join(f'"{i}"' for i in ids))
    assert "A list argument has 101 items; the limit is 100 (max_list_input)." in messages(over)
    query = "query($codes: [String!]) { customers(filter: {code: {in: $codes}}) { totalCount } }"
    assert "errors" not in await post(client, caller, query, {"codes": ["x"] * 100})
    refused = await post(client, caller, query, {"codes": ["x"] * 101})
    assert messages(refused) == (
        "A list in the variables has 101 items; the limit is 100 (max_list_input)."
    )


COSTLY = """query($n: Int) { customers(first: $n) { nodes {
  contacts(first: 100) { nodes { customer { id } } } } } }"""


async def test_query_cost_is_reported_and_limited(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.READER)
    small = await post(client, caller, "{ customers(first: 5) { nodes { id } } }")
    assert small["extensions"]["cost"]["requested"] == 6  # the connection and 5 customers
    assert small["extensions"]["cost"]["maximum"] == 20_000
    # 1 connection + 99 customers + 99 connections + 2 x 9,900 contacts and customers.
    fits = await post(client, caller, COSTLY, {"n": 99})
    assert fits["extensions"]["cost"]["requested"] == 19_999
    assert "errors" not in fits
    refused = await post(client, caller, COSTLY, {"n": 100})
    assert refused["errors"][0]["message"].startswith(
        "The query may return 20201 objects; the limit is 20000 (max_query_cost)."
    )
    assert refused["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert refused["data"] is None


async def test_the_cost_budget_is_per_caller(database: Database) -> None:
    settings = get_settings().model_copy(update={"query_cost_per_minute": 300})
    first = await committed_tenant(database, Role.READER)
    other = await committed_tenant(database, Role.READER)
    query = "{ customers(first: 100) { nodes { id category { id } } } }"  # 201
    async with app_client(settings) as client:
        spent = await post(client, first, query)
        assert spent["extensions"]["cost"] == {"requested": 201, "maximum": 20_000,
                                               "remaining": 99}  # fmt: skip
        refused = await post(client, first, query)
        error = refused["errors"][0]
        assert error["message"].startswith(
            "The query costs 201 and the caller's budget has 99 left (query_cost_per_minute)"
        )
        assert error["extensions"]["limit"] == "query_cost_per_minute"
        assert "errors" not in await post(client, other, query)


async def test_the_customer_360_view_fits_the_limits(
    client: httpx.AsyncClient, database: Database
) -> None:
    from tests.resolvers.test_customer360 import VIEW_360

    caller = await committed_tenant(database, Role.READER)
    body = await post(client, caller, VIEW_360, {"first": 100})
    assert "errors" not in body
    assert body["extensions"]["cost"]["requested"] <= 20_000


async def test_circular_fragments_are_refused(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.READER)
    query = """{ customers { nodes { ...A } } }
    fragment A on Customer { id contacts { nodes { customer { ...B } } } }
    fragment B on Customer { code contacts { nodes { customer { ...A } } } }"""
    body = await post(client, caller, query)
    assert "Cannot spread fragment 'A' within itself via 'B'." in messages(body)
    assert body["data"] is None


async def test_errors_never_suggest_fields_in_production(database: Database) -> None:
    caller = await committed_tenant(database, Role.READER)
    typo = "{ viewer { rol } }"
    async with app_client(get_settings()) as client:  # the test environment: suggestions on
        assert "Did you mean 'role'?" in messages(await post(client, caller, typo))
    production = get_settings().model_copy(update={"environment": "production"})
    async with app_client(production) as client:
        body = await post(client, caller, typo)
        assert messages(body) == "Cannot query field 'rol' on type 'Viewer'."
        introspection = await post(client, caller, "{ __schema { types { name } } }")
        assert "introspection has been disabled" in messages(introspection)
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 405
    async with app_client(get_settings()) as client:  # introspection stays on elsewhere
        await gql(client, caller, "{ __schema { queryType { name } } }")
