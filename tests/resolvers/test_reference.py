"""Reference data over GraphQL: admin-only writes, TAKEN names, versions, pagination, node."""

from __future__ import annotations

import httpx

from clientbase.core.db import Database
from clientbase.services.auth.principal import Role
from tests.helpers import committed_tenant, gql, gql_errors

CREATE = """mutation($name: String!, $kind: ProductKind!) {
  productTypeCreate(input: {name: $name, kind: $kind}) {
    productType { id name kind version } userErrors { field code message } } }"""
UPDATE = """mutation($id: ID!, $name: String, $v: Int) {
  productTypeUpdate(id: $id, input: {name: $name}, expectedVersion: $v) {
    productType { name version } userErrors { field code message } } }"""
LIST = """query($first: Int, $after: String, $last: Int, $before: String) {
  productTypes(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


async def test_admin_creates_updates_and_deletes(
    client: httpx.AsyncClient, database: Database
) -> None:
    admin = await committed_tenant(database, Role.ADMIN)
    created = await gql(client, admin, CREATE, {"name": "Router X200", "kind": "PRODUCT"})
    payload = created["productTypeCreate"]
    assert payload["userErrors"] == []
    assert payload["productType"]["version"] == 1
    type_id = payload["productType"]["id"]

    taken = await gql(client, admin, CREATE, {"name": "Router X200", "kind": "SERVICE"})
    assert taken["productTypeCreate"]["userErrors"] == [
        {"field": ["input", "name"], "code": "TAKEN", "message": "A product type has this name."}
    ]
    updated = await gql(client, admin, UPDATE, {"id": type_id, "name": "Router X300", "v": 1})
    assert updated["productTypeUpdate"]["productType"] == {"name": "Router X300", "version": 2}
    stale = await gql(client, admin, UPDATE, {"id": type_id, "name": "Router X400", "v": 1})
    assert stale["productTypeUpdate"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    assert stale["productTypeUpdate"]["userErrors"][0]["field"] == ["expectedVersion"]
    same = await gql(client, admin, UPDATE, {"id": type_id, "name": "Router X300"})
    assert same["productTypeUpdate"]["productType"]["version"] == 2  # no change, no bump

    node = await gql(client, admin, "query($id: ID!) { node(id: $id) { id ... on ProductType { name } } }",
                     {"id": type_id})  # fmt: skip
    assert node["node"] == {"id": type_id, "name": "Router X300"}
    deleted = await gql(client, admin, "mutation($id: ID!) { productTypeDelete(id: $id) { deletedId userErrors { code } } }",
                        {"id": type_id})  # fmt: skip
    assert deleted["productTypeDelete"] == {"deletedId": type_id, "userErrors": []}
    gone = await gql(client, admin, "query($id: ID!) { node(id: $id) { id } }", {"id": type_id})
    assert gone["node"] is None


async def test_editors_and_readers_cannot_write_reference_data(
    client: httpx.AsyncClient, database: Database
) -> None:
    for role in (Role.EDITOR, Role.READER):
        caller = await committed_tenant(database, role)
        result = await gql(client, caller, CREATE, {"name": "Fiber", "kind": "SERVICE"})
        assert result["productTypeCreate"]["productType"] is None
        assert result["productTypeCreate"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_pagination_forwards_and_backwards(
    client: httpx.AsyncClient, database: Database
) -> None:
    admin = await committed_tenant(database, Role.ADMIN)
    names = [f"Type {i:02d}" for i in range(7)]
    for name in reversed(names):
        await gql(client, admin, CREATE, {"name": name, "kind": "LICENSE"})
    seen, after = [], None
    while True:
        page = (await gql(client, admin, LIST, {"first": 3, "after": after}))["productTypes"]
        assert page["totalCount"] == 7
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == names
    tail = (await gql(client, admin, LIST, {"last": 2}))["productTypes"]
    assert [e["node"]["name"] for e in tail["edges"]] == names[-2:]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    before = await gql(client, admin, LIST, {"last": 2, "before": tail["pageInfo"]["startCursor"]})
    assert [e["node"]["name"] for e in before["productTypes"]["edges"]] == names[3:5]


async def test_page_size_limits_are_clear_errors(
    client: httpx.AsyncClient, database: Database
) -> None:
    reader = await committed_tenant(database, Role.READER)
    errors = await gql_errors(client, reader, LIST, {"first": 101})
    assert errors[0]["message"] == "`first` is at most 100, got 101."
    errors = await gql_errors(client, reader, LIST, {"first": 1, "after": "garbage"})
    assert "not a cursor" in errors[0]["message"]
    many = [f"id{i}" for i in range(101)]
    errors = await gql_errors(
        client, reader, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": many}
    )
    assert errors[0]["message"] == (
        "A list in the variables has 101 items; the limit is 100 (max_list_input)."
    )


async def test_other_tenants_reference_data_is_invisible(
    client: httpx.AsyncClient, database: Database
) -> None:
    a = await committed_tenant(database, Role.ADMIN)
    b = await committed_tenant(database, Role.ADMIN)
    made = await gql(client, a, CREATE, {"name": "Only A", "kind": "PRODUCT"})
    type_id = made["productTypeCreate"]["productType"]["id"]
    seen_by_b = await gql(client, b, "query($id: ID!) { node(id: $id) { id } }", {"id": type_id})
    assert seen_by_b["node"] is None
    assert (await gql(client, b, LIST, {"first": 10}))["productTypes"]["totalCount"] == 0
