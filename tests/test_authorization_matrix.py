"""Who may do what: anonymous, reader, editor, admin and another tenant, over every root query
and mutation of the schema, `node`/`nodes`, filters, nested fields, jobs and file routes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
)

from clientbase.core.db import Database
from clientbase.resolvers.root import build_schema
from clientbase.schema.ids import to_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql
from tests.services.jobs.factories import committed_job

SCHEMA = build_schema()._schema
ADMIN_ONLY_PREFIXES = ("productType", "customerCategory", "companyType", "apiKey")
# Mutations that only read: a reader may export what it may read, and cancel the jobs it
# started (its own only: tests/resolvers/test_exports.py).
READER_MAY = {"exportStart", "jobCancel"}
SCALARS = {"String": '"x"', "ID": '"eHg6eA=="', "Int": "1", "Float": "1.5", "Boolean": "true",
           "Date": '"2026-01-01"', "DateTime": '"2026-01-01T00:00:00Z"', "JSON": "{}"}  # fmt: skip


def literal(type_: GraphQLInputType) -> str:
    """A value of `type_` with its required fields only: enough to reach the resolver."""
    if isinstance(type_, GraphQLNonNull):
        return literal(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{literal(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        required = [f"{name}: {literal(field.type)}" for name, field in type_.fields.items()
                    if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined]  # fmt: skip
        return "{" + ", ".join(required) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return SCALARS.get(type_.name, '"x"')


def mutation(name: str) -> str:
    field = SCHEMA.mutation_type.fields[name]  # type: ignore[union-attr]
    arguments = [f"{arg}: {literal(a.type)}" for arg, a in field.args.items()
                 if isinstance(a.type, GraphQLNonNull)]  # fmt: skip
    call = f"{name}({', '.join(arguments)})" if arguments else name
    return f"mutation {{ {call} {{ userErrors {{ code message }} }} }}"


MUTATIONS = sorted(SCHEMA.mutation_type.fields)  # type: ignore[union-attr]


async def test_anonymous_callers_reach_nothing(client: httpx.AsyncClient) -> None:
    for name in sorted(SCHEMA.query_type.fields):  # type: ignore[union-attr]
        response = await client.post("/graphql", json={"query": f"{{ {name} {{ __typename }} }}"})
        assert response.status_code == 401, name
    for name in MUTATIONS:
        assert (await client.post("/graphql", json={"query": mutation(name)})).status_code == 401
    bad_key = {"Authorization": "Bearer cb_" + "0" * 36}
    assert (await client.post("/graphql", json={"query": "{ viewer { role } }"},
                              headers=bad_key)).status_code == 401  # fmt: skip
    assert (await client.post("/files", content=b"x")).status_code == 401
    assert (await client.get(f"/files/{to_global_id('File', uuid.uuid4())}")).status_code == 401


async def test_mutations_refuse_readers_and_admin_ones_refuse_editors(
    client: httpx.AsyncClient, database: Database
) -> None:
    reader = await committed_tenant(database, Role.READER)
    editor = await committed_tenant(database, Role.EDITOR)
    for name in MUTATIONS:
        payload = (await gql(client, reader, mutation(name)))[name]
        forbidden = any(e["code"] == "FORBIDDEN" for e in payload["userErrors"])
        assert forbidden == (name not in READER_MAY), (name, payload)
        payload = (await gql(client, editor, mutation(name)))[name]
        forbidden = any(e["code"] == "FORBIDDEN" for e in payload["userErrors"])
        assert forbidden == name.startswith(ADMIN_ONLY_PREFIXES), (name, payload)


async def test_api_keys_are_listed_to_admins_only_and_never_with_their_secret(
    client: httpx.AsyncClient, database: Database
) -> None:
    query = "{ apiKeys { id name prefix role } }"
    for role in (Role.READER, Role.EDITOR):
        caller = await committed_tenant(database, role)
        response = await client.post("/graphql", json={"query": query}, headers=caller.headers)
        assert response.json()["errors"][0]["message"] == "This needs the admin role."
    admin = await committed_tenant(database, Role.ADMIN)
    keys = (await gql(client, admin, query))["apiKeys"]
    assert [k["role"] for k in keys] == ["ADMIN"] and admin.secret[:9] == keys[0]["prefix"]
    fields = set(SCHEMA.get_type("ApiKey").fields)  # type: ignore[union-attr]
    assert fields == {"id", "name", "prefix", "role", "lastUsedAt", "revokedAt", "createdAt"}


READ_ALL = """{ viewer { role } customers { totalCount } contacts { totalCount }
  sites { totalCount } contracts { totalCount } inventoryItems { totalCount }
  productTypes { totalCount } customerCategories { totalCount } companyTypes { totalCount }
  jobs { edges { node { id } } } }"""


async def test_every_role_reads_its_own_tenant(
    client: httpx.AsyncClient, database: Database
) -> None:
    for role in Role:
        caller = await committed_tenant(database, role)
        data = await gql(client, caller, READ_ALL)
        assert data["viewer"]["role"] == role.name
        assert data["customers"]["totalCount"] == 0


async def _tenant_with_data(
    client: httpx.AsyncClient, database: Database
) -> tuple[TenantWithKey, dict[str, str]]:
    owner = await committed_tenant(database, Role.EDITOR)
    created = (
        await gql(
            client,
            owner,
            """mutation { customerCreate(input: {
        code: "SECRET-1", legalName: "Segredo Industrial Ltda",
        contacts: [{fullName: "Maria Sigilo"}], sites: [{name: "Cofre"}],
        contracts: [{number: "K-SECRET"}]}) {
      customer { id contacts { nodes { id } } sites { nodes { id } } contracts { nodes { id } } }
      userErrors { code } } }""",
        )
    )["customerCreate"]
    customer = created["customer"]
    job = await committed_job(database, owner.tenant_id)
    upload = await client.post("/files", content=b"secret", headers={
        **owner.headers, "Content-Type": "text/csv"})  # fmt: skip
    ids = {
        "Customer": customer["id"],
        "Contact": customer["contacts"]["nodes"][0]["id"],
        "Site": customer["sites"]["nodes"][0]["id"],
        "Contract": customer["contracts"]["nodes"][0]["id"],
        "Job": to_global_id("Job", job.id),
        "File": upload.json()["id"],
        "ApiKey": to_global_id("ApiKey", owner.key_id),
    }
    return owner, ids


async def test_another_tenant_reads_and_writes_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    _, ids = await _tenant_with_data(client, database)
    stranger = await committed_tenant(database, Role.ADMIN)
    node_ids = [ids[t] for t in ("Customer", "Contact", "Site", "Contract", "Job")]
    seen = await gql(client, stranger, """query($id: ID!, $ids: [ID!]!) {
      node(id: $id) { id } nodes(ids: $ids) { id }
      customerByCode(code: "SECRET-1") { id }
      customers(filter: {code: {eq: "SECRET-1"}}) { totalCount }
      byId: customers(filter: {id: {in: $ids}}) { totalCount }
      contacts(search: "Maria Sigilo") { totalCount }
      customerSearch(query: "Segredo") { customer { id } } }""",
        {"id": ids["Customer"], "ids": node_ids})  # fmt: skip
    assert seen == {"node": None, "nodes": [None] * 5, "customerByCode": None,
                    "customers": {"totalCount": 0}, "byId": {"totalCount": 0},
                    "contacts": {"totalCount": 0}, "customerSearch": []}  # fmt: skip
    assert (await gql(client, stranger, READ_ALL))["jobs"]["edges"] == []

    writes = {
        "customerUpdate": ("Customer", 'input: {legalName: "Taken"}'),
        "customerDelete": ("Customer", ""),
        "contactDelete": ("Contact", ""),
        "siteDelete": ("Site", ""),
        "contractDelete": ("Contract", ""),
        "jobCancel": ("Job", ""),
        "apiKeyRevoke": ("ApiKey", ""),
    }
    for name, (type_name, extra) in writes.items():
        arguments = f'id: "{ids[type_name]}"' + (f", {extra}" if extra else "")
        query = f"mutation {{ {name}({arguments}) {{ userErrors {{ code }} }} }}"
        payload = (await gql(client, stranger, query))[name]
        assert payload["userErrors"][0]["code"] == "NOT_FOUND", (name, payload)
    # A merge naming the owner's customer, as survivor or as merged: not found either way.
    merge = """mutation($id: ID!, $own: ID!) {
      asSurvivor: customersMerge(survivorId: $id, mergedIds: [$own]) { userErrors { field code } }
      asMerged: customersMerge(survivorId: $own, mergedIds: [$id]) { userErrors { field code } }
      undo: customersMergeUndo(mergeId: $id) { userErrors { field code } } }"""
    mine = 'mutation { customerCreate(input: {code: "MINE-1", legalName: "Minha"}) { customer { id } } }'
    own = (await gql(client, stranger, mine))["customerCreate"]["customer"]["id"]
    tried = await gql(client, stranger, merge, {"id": ids["Customer"], "own": own})
    assert tried["asSurvivor"]["userErrors"] == [{"field": ["survivorId"], "code": "NOT_FOUND"}]
    assert tried["asMerged"]["userErrors"] == [{"field": ["mergedIds", "0"], "code": "NOT_FOUND"}]
    assert tried["undo"]["userErrors"] == [{"field": ["mergeId"], "code": "NOT_FOUND"}]
    response = await client.get(f"/files/{ids['File']}", headers=stranger.headers)
    assert response.status_code == 404


async def test_the_owner_still_sees_everything(
    client: httpx.AsyncClient, database: Database
) -> None:
    """The other half of the test above: the same reads find the data for its own tenant."""
    owner, ids = await _tenant_with_data(client, database)
    data: dict[str, Any] = await gql(client, owner, """query($ids: [ID!]!) {
      nodes(ids: $ids) { id } customerByCode(code: "SECRET-1") { id } }""",
        {"ids": [ids["Customer"], ids["Job"]]})  # fmt: skip
    assert data["nodes"] == [{"id": ids["Customer"]}, {"id": ids["Job"]}]
    assert data["customerByCode"] == {"id": ids["Customer"]}
    assert (await client.get(f"/files/{ids['File']}", headers=owner.headers)).content == b"secret"
