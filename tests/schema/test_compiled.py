"""Compiled reads against the resolver path on the same data: equal responses, key order
included, for generated queries, the first time and when asked again; one statement per
root field; fallbacks for the rest."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, func, select, update

from clientbase.app import create_app
from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.models.contact import Contact
from clientbase.models.customer import Customer
from clientbase.schema.compiled.operations import OperationCache
from clientbase.schema.ids import to_global_id
from clientbase.services.auth.principal import Role
from clientbase.services.documents import builder
from clientbase.services.normalise import name_key
from clientbase.services.seed import seed_customers
from tests.helpers import TenantWithKey, app_client, committed_tenant, compiled_operations
from tests.schema.compiled_queries import customer_query
from tests.stack import TestStack

COMPILED_MARK = "json_build_object"


@dataclass
class World:
    compiled: httpx.AsyncClient
    resolvers: httpx.AsyncClient
    operations: OperationCache
    reader: TenantWithKey
    stranger: TenantWithKey
    codes: list[str]
    ids: list[str]
    stranger_id: str


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


@asynccontextmanager
async def clients() -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, OperationCache]]:
    # Generated queries alias freely: the alias limit is not what is under test here.
    base = get_settings().model_copy(update={"requests_per_minute": 0, "max_aliases": 500,
                                             "query_cost_per_minute": 0})  # fmt: skip
    compiled = base.model_copy(update={"compiled_reads": True})
    resolvers = base.model_copy(update={"compiled_reads": False})
    app = create_app(compiled)
    async with app_client(compiled, app) as fast, app_client(resolvers) as plain:
        yield fast, plain, compiled_operations(app)


async def _edge_rows(database: Database, tenant_id: uuid.UUID) -> None:
    """Rows the seed does not make: no children, non-ASCII sort values, whole seconds, JSON."""
    async with database.session(tenant_id) as session:
        for code, name, fields in [("Ç-ÁRVORE", "Árvore \"Quote\" Ltda", {"b": 1, "a": [1.5, None, "x"]}),
                                   ("Z-EMPTY", "Empty\nLine Co", {})]:  # fmt: skip
            session.add(Customer(id=uuid.uuid4(), tenant_id=tenant_id, kind="COMPANY", code=code,
                                 legal_name=name, name_key=name_key(name),
                                 custom_fields=fields))  # fmt: skip
        await session.flush()
        whole = func.date_trunc("second", Customer.created_at)
        await session.execute(update(Customer).where(Customer.code.like("Z-%"))
                              .values(created_at=whole))  # fmt: skip
        await session.execute(update(Contact).where(Contact.email.is_(None))
                              .values(created_at=func.date_trunc("second", Contact.created_at)))  # fmt: skip
        await session.commit()


@pytest.fixture(scope="module")
async def world(stack: TestStack) -> AsyncIterator[World]:
    database = Database(stack.app_url, pool_size=2, max_overflow=0)
    try:
        reader = await committed_tenant(database, Role.READER)
        stranger = await committed_tenant(database, Role.READER)
        await seed_customers(database, reader.tenant_id, 8, writers=1, batch_size=8)
        await seed_customers(database, stranger.tenant_id, 1, writers=1, batch_size=1)
        await _edge_rows(database, reader.tenant_id)
        async with database.session(reader.tenant_id) as session:
            rows = (await session.execute(select(Customer.code, Customer.id))).all()
            contact = await session.scalar(select(Contact.id).limit(1))
        async with database.session(stranger.tenant_id) as session:
            theirs = await session.scalar(select(Customer.id).limit(1))
    finally:
        await database.dispose()
    assert contact is not None and theirs is not None
    ids = [to_global_id("Customer", row.id) for row in rows]
    ids.append(to_global_id("Contact", contact))
    async with clients() as (fast, plain, operations):
        yield World(fast, plain, operations, reader, stranger, [row.code for row in rows], ids,
                    to_global_id("Customer", theirs))  # fmt: skip


async def both(world: World, query: str, variables: dict[str, Any] | None = None,
               caller: TenantWithKey | None = None) -> tuple[dict[str, Any], list[str]]:  # fmt: skip
    """The compiled path's response, checked equal to the resolver path's, and the
    compiled path's statements."""
    body = {"query": query, "variables": variables or {}}
    headers = (caller or world.reader).headers
    world.operations.clear()  # the first time through Strawberry, where statements are seen
    with statements() as seen:
        fast = await world.compiled.post("/graphql", json=body, headers=headers)
    # Asked again, it takes the short way (api_compiled) when it compiled: the same bytes.
    again = await world.compiled.post("/graphql", json=body, headers=headers)
    assert again.status_code == fast.status_code and again.content == fast.content, query
    with statements() as resolved:
        plain = await world.resolvers.post("/graphql", json=body, headers=headers)
    assert compiled_statements(resolved) == []  # CLIENTBASE_COMPILED_READS=0 turns it off
    assert fast.status_code == plain.status_code == 200, (fast.text, plain.text)
    # Dumped without sorting: equal text means equal values in the same key order.
    compiled_text, resolved_text = json.dumps(fast.json()), json.dumps(plain.json())
    pairs = zip(compiled_text, resolved_text, strict=False)
    at = next((i for i, (a, b) in enumerate(pairs) if a != b), 0)
    assert compiled_text == resolved_text, (query, compiled_text[max(0, at - 300) : at + 200],
                                            resolved_text[max(0, at - 300) : at + 200])  # fmt: skip
    return fast.json(), seen


def compiled_statements(seen: list[str]) -> list[str]:
    return [s for s in seen if COMPILED_MARK in s]


# Without shrinking: each example is two HTTP requests, and the failing one is printed.
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # fmt: skip
@given(data=st.data())
async def test_generated_queries_answer_as_the_resolvers_do(world: World, data: Any) -> None:
    query, variables = data.draw(customer_query(world.codes, world.ids))
    response, seen = await both(world, query, variables)
    assert "errors" not in response
    roots = len(response["data"])
    assert len(compiled_statements(seen)) == roots, query


async def test_a_nested_page_is_one_statement_per_root_field(world: World) -> None:
    query = """{ a: customers(first: 5) { totalCount pageInfo { hasNextPage endCursor }
      nodes { id code address { city } category { name }
        overview { contacts sites contracts contractsByStatus { status count } items
                   itemsByProductType { productTypeId productTypeName count } }
        contacts(first: 3) { totalCount nodes { fullName email } }
        sites(first: 3) { nodes { name address { city postalCode } } }
        contracts(first: 3) { edges { cursor node { number status startsOn } } }
        inventory(first: 5) { totalCount nodes { serialNumber status
          productType { name kind } site { name } contract { number } } } } }
      b: customerByCode(code: "Ç-ÁRVORE") { code legalName customFields createdAt } }"""
    with statements() as baseline:
        await world.compiled.post("/graphql", json={"query": "{ __typename }"},
                                  headers=world.reader.headers)  # fmt: skip
    response, seen = await both(world, query)
    assert len(seen) == len(baseline) + 2
    assert len(compiled_statements(seen)) == 2
    assert len(response["data"]["a"]["nodes"]) == 5
    assert response["data"]["b"]["customFields"] == {"b": 1, "a": [1.5, None, "x"]}


async def test_pages_follow_cursors_alike(world: World) -> None:
    query = """query($after: String) { customers(first: 3, after: $after,
      orderBy: [{field: LEGAL_NAME, direction: DESC}]) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { legalName } } } }"""
    after, names = None, []
    while True:
        response, seen = await both(world, query, {"after": after})
        assert len(compiled_statements(seen)) == 1
        page = response["data"]["customers"]
        names += [edge["node"]["legalName"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(names) == len(world.codes) == len(set(names))


async def test_errors_and_the_unmapped_take_the_resolver_path(world: World) -> None:
    cases = [
        "{ customers(first: 101) { nodes { code } } }",
        '{ customers(after: "bm90IGEgY3Vyc29y") { nodes { code } } }',
        "{ customers(first: 2, last: 2) { nodes { code } } }",
        "{ customers(first: 2) { nodes { code duplicates { score } } } }",
        '{ node(id: "not-an-id") { id } }',
        "{ viewer { role } customers(first: 1) { totalCount } }",
    ]
    for query in cases:
        _, seen = await both(world, query)
        assert compiled_statements(seen) == [], query


async def test_other_tenants_rows_stay_invisible(world: World) -> None:
    mine, _ = await both(world, "{ customers(first: 100) { totalCount nodes { id } } }")
    assert world.stranger_id not in {n["id"] for n in mine["data"]["customers"]["nodes"]}
    query = f'{{ node(id: "{world.stranger_id}") {{ ... on Customer {{ code }} }} }}'
    response, seen = await both(world, query)
    assert response["data"]["node"] is None and len(compiled_statements(seen)) == 1
    theirs, _ = await both(world, "{ customers { totalCount } }", caller=world.stranger)
    assert theirs["data"]["customers"]["totalCount"] == 1


async def test_pages_after_any_cursor_share_one_statement_nested_too(world: World) -> None:
    query = """query($code: String!, $after: String) { customerByCode(code: $code) {
      contacts(first: 1, after: $after) { pageInfo { hasNextPage endCursor }
        nodes { fullName } } } }"""
    counts = """{ customers(first: 100) { nodes { code contacts { totalCount } } } }"""
    listed, _ = await both(world, counts)
    most = max(listed["data"]["customers"]["nodes"], key=lambda n: n["contacts"]["totalCount"])
    code = most["code"]
    after, names, cached = None, [], []
    while True:
        response, seen = await both(world, query, {"code": code, "after": after})
        assert len(compiled_statements(seen)) == 1
        cached.append(len(builder.CACHE._entries))
        page = response["data"]["customerByCode"]["contacts"]
        names += [node["fullName"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(names) >= 2 and len(set(cached[1:])) == 1, cached  # after the first page: one
    # A cursor holding a null (sort keys never are): refused the same way on both paths.
    null_cursor = base64.urlsafe_b64encode(json.dumps([None, str(uuid.uuid4())]).encode()).decode()
    response, seen = await both(world, query, {"code": code, "after": null_cursor})
    assert response["errors"][0]["message"] == "`after` is not a cursor of this list."
    assert compiled_statements(seen) == []


async def test_filters_on_other_values_share_one_statement(world: World) -> None:
    query = """query($name: String!, $code: String!, $ids: [ID!]) { customers(first: 5, filter: {
      legalName: {contains: $name}, or: [{code: {startsWith: $code}}, {id: {in: $ids}}]}) {
      totalCount nodes { code legalName } } }"""
    asked = [("a", "C", world.ids[:2]), ("o", "Z", world.ids[2:4]), ("%_\\\\", "Ç", world.ids[4:6])]
    sizes, totals = [], []
    for name, code, ids in asked:
        response, seen = await both(world, query, {"name": name, "code": code, "ids": ids})
        assert len(compiled_statements(seen)) == 1
        sizes.append(len(builder.CACHE._entries))
        totals.append(response["data"]["customers"]["totalCount"])
    assert sizes[1:] == sizes[:1] * 2, sizes  # one statement for the three
    assert totals[0] > 0


@pytest.mark.parametrize(
    ("root", "arguments", "selection"),
    [
        (
            "contacts",
            "first: 3, orderBy: [{field: FULL_NAME, direction: DESC}]",
            "fullName email isPrimary customer { code }",
        ),
        ("sites", 'first: 3, filter: {name: {contains: "a"}}', "name address { city }"),
        ("contracts", 'first: 3, search: "a"', "number status startsOn customer { legalName }"),
        ("inventoryItems", "first: 3", "serialNumber status productType { name } site { name }"),
    ],
)
async def test_the_other_root_lists_compile_and_page_alike(
    world: World, root: str, arguments: str, selection: str
) -> None:
    query = f"""query($after: String) {{ {root}({arguments}, after: $after) {{ totalCount
      pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ id {selection} }} }} }} }}"""
    after, seen_ids = None, []
    for _ in range(3):
        response, seen = await both(world, query, {"after": after})
        assert len(compiled_statements(seen)) == 1, root
        page = response["data"][root]
        seen_ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen_ids and len(seen_ids) == len(set(seen_ids))


async def test_pages_backwards_alike(world: World) -> None:
    query = """query($before: String) { customers(last: 3, before: $before,
      orderBy: [{field: LEGAL_NAME}]) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { legalName contacts(first: 1) { pageInfo { hasPreviousPage
        hasNextPage } nodes { fullName } } } } } }"""
    before, names = None, []
    while True:
        response, seen = await both(world, query, {"before": before})
        assert len(compiled_statements(seen)) == 1
        page = response["data"]["customers"]
        names = [edge["node"]["legalName"] for edge in page["edges"]] + names
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert len(names) == len(world.codes) == len(set(names))
    # Forward and backward bounds together, and last with after: as the resolvers do.
    both_ways = """query($after: String, $before: String) { customers(first: 2, after: $after,
      before: $before) { pageInfo { hasNextPage hasPreviousPage } nodes { code } } }"""
    edges = (await both(world, "{ customers(first: 6) { edges { cursor } } }"))[0]
    cursors_ = [e["cursor"] for e in edges["data"]["customers"]["edges"]]
    await both(world, both_ways, {"after": cursors_[0], "before": cursors_[4]})
    await both(
        world,
        """query($after: String) { customers(last: 2, after: $after) {
      pageInfo { hasNextPage hasPreviousPage } nodes { code } } }""",
        {"after": cursors_[1]},
    )


async def test_searches_for_other_terms_share_one_statement(world: World) -> None:
    query = """query($term: String!) { customers(first: 5, search: $term) { totalCount
      nodes { code contracts(first: 2) { nodes { number } } } }
      contracts(first: 3, search: $term) { totalCount nodes { number } } }"""
    sizes, totals = [], []
    for term in ("a", "C0", "%_"):
        response, seen = await both(world, query, {"term": term})
        assert len(compiled_statements(seen)) == 2
        sizes.append(len(builder.CACHE._entries))
        totals.append(response["data"]["customers"]["totalCount"])
    assert sizes[1:] == sizes[:1] * 2, sizes
    assert totals[0] > 0 and totals[2] == 0
    # A term with spaces around it is not lifted (the lists strip it): still alike.
    await both(world, query, {"term": "  a "})
