"""Contracts over GraphQL: create, numbers per tenant, periods, delete rules, lists, history."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from clientbase import models
from clientbase.core.db import Database
from clientbase.schema.ids import from_global_id, to_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql, inserted_customer

FIELDS = "id number title status startsOn endsOn version"
CREATE = f"""mutation($input: ContractCreateInput!) {{
  contractCreate(input: $input) {{ contract {{ {FIELDS} customer {{ code }} }}
    userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: ContractUpdateInput!, $v: Int) {{
  contractUpdate(id: $id, input: $input, expectedVersion: $v) {{
    contract {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""
DELETE = "mutation($id: ID!) { contractDelete(id: $id) { deletedId userErrors { field code } } }"
LIST = """query($filter: ContractFilter, $search: String, $first: Int, $after: String,
                 $orderBy: [ContractOrder!]) {
  contracts(filter: $filter, search: $search, first: $first, after: $after, orderBy: $orderBy) {
    totalCount nodes { number } pageInfo { hasNextPage endCursor } } }"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Contract {{ {FIELDS} }} }} }}"
PERIOD_ERROR = {"field": ["input", "endsOn"], "code": "INVALID",
                "message": "The contract ends before it starts."}  # fmt: skip


async def _create(client: httpx.AsyncClient, caller: TenantWithKey, customer: str,
                  **fields: Any) -> dict[str, Any]:  # fmt: skip
    payload = await gql(client, caller, CREATE, {"input": {"customerId": customer, **fields}})
    assert payload["contractCreate"]["userErrors"] == [], payload
    return payload["contractCreate"]["contract"]  # type: ignore[no-any-return]


async def _errors(client: httpx.AsyncClient, caller: TenantWithKey, **input: Any) -> list[dict]:
    payload = (await gql(client, caller, CREATE, {"input": input}))["contractCreate"]
    assert payload["contract"] is None
    return payload["userErrors"]  # type: ignore[no-any-return]


async def test_create_and_read_back(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor, code="C-K")
    made = await _create(client, editor, customer, number=" K-2024-01 ", title="Fiber 1G",
                         startsOn="2024-01-01", endsOn="2024-12-31")  # fmt: skip
    assert made == {"id": made["id"], "number": "K-2024-01", "title": "Fiber 1G",
                    "status": "ACTIVE", "startsOn": "2024-01-01", "endsOn": "2024-12-31",
                    "version": 1, "customer": {"code": "C-K"}}  # fmt: skip
    one_day = await _create(client, editor, customer, number="K-2", status="DRAFT",
                            startsOn="2024-05-05", endsOn="2024-05-05")  # fmt: skip
    assert one_day["status"] == "DRAFT"
    node = (await gql(client, editor, NODE, {"id": made["id"]}))["node"]
    assert node["number"] == "K-2024-01"


async def test_shape_period_and_missinginserted_customer(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    other = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor)
    problems = await _errors(client, editor, customerId=customer, number=" ", title="t" * 301,
                             startsOn="2024-02-01", endsOn="2024-01-31")  # fmt: skip
    assert {(tuple(p["field"]), p["code"]) for p in problems} == {
        (("input", "number"), "REQUIRED"),
        (("input", "title"), "INVALID"),
        (("input", "endsOn"), "INVALID"),
    }
    for customer_id in (await inserted_customer(database, other), "garbage"):
        missing = await _errors(client, editor, customerId=customer_id, number="K-1")
        assert [(p["field"], p["code"]) for p in missing] == [
            (["input", "customerId"], "NOT_FOUND")
        ]


async def test_numbers_are_unique_per_tenant(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    other = await committed_tenant(database, Role.EDITOR)
    acme, zeta = (
        await inserted_customer(database, editor),
        await inserted_customer(database, editor),
    )
    await _create(client, editor, acme, number="K-1")
    taken = await _errors(client, editor, customerId=zeta, number="K-1")
    assert taken == [{"field": ["input", "number"], "code": "TAKEN",
                      "message": "Another contract has this number."}]  # fmt: skip
    await _create(client, other, await inserted_customer(database, other), number="K-1")


async def test_partial_update_checks_the_resulting_period(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor, await inserted_customer(database, editor), number="K-1",
                         title="Old", startsOn="2024-01-01", endsOn="2024-12-31")  # fmt: skip
    early = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"endsOn": "2023-12-31"}})
    assert early["contractUpdate"]["userErrors"] == [PERIOD_ERROR]
    late = await gql(
        client, editor, UPDATE, {"id": made["id"], "input": {"startsOn": "2025-01-01"}}
    )
    assert late["contractUpdate"]["userErrors"] == [PERIOD_ERROR]
    result = await gql(client, editor, UPDATE,
                       {"id": made["id"], "input": {"endsOn": None, "status": "SUSPENDED"}, "v": 1})  # fmt: skip
    contract = result["contractUpdate"]["contract"]
    assert contract["endsOn"] is None and contract["status"] == "SUSPENDED"  # null clears
    assert contract["title"] == "Old" and contract["startsOn"] == "2024-01-01"  # absent stays
    assert contract["version"] == 2
    stale = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"title": "X"}, "v": 1})
    assert stale["contractUpdate"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    blank = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"number": " "}})
    assert blank["contractUpdate"]["userErrors"][0]["code"] == "REQUIRED"
    same = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"title": "Old"}})
    assert same["contractUpdate"]["contract"]["version"] == 2  # nothing changed, no bump


async def test_delete_refused_while_inventory_is_supplied(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor)
    empty = await _create(client, editor, customer, number="K-EMPTY")
    used = await _create(client, editor, customer, number="K-USED")
    tenant, customer_id = editor.tenant_id, from_global_id(customer)[1]
    async with database.session(tenant) as session:
        product = models.ProductType(
            id=uuid.uuid4(), tenant_id=tenant, name="Router", kind="PRODUCT"
        )
        site = models.Site(id=uuid.uuid4(), tenant_id=tenant, customer_id=customer_id, name="HQ")
        session.add_all([product, site])
        await session.flush()
        session.add(models.InventoryItem(tenant_id=tenant, customer_id=customer_id,
                                         contract_id=from_global_id(used["id"])[1],
                                         product_type_id=product.id, site_id=site.id,
                                         serial_number="SN1"))  # fmt: skip
        await session.commit()
    refused = await gql(client, editor, DELETE, {"id": used["id"]})
    assert refused["contractDelete"] == {
        "deletedId": None, "userErrors": [{"field": ["id"], "code": "HAS_DEPENDENTS"}],
    }  # fmt: skip
    deleted = await gql(client, editor, DELETE, {"id": empty["id"]})
    assert deleted["contractDelete"] == {"deletedId": empty["id"], "userErrors": []}
    again = await gql(client, editor, DELETE, {"id": empty["id"]})
    assert again["contractDelete"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]


async def test_readers_cannot_write(client: httpx.AsyncClient, database: Database) -> None:
    reader = await committed_tenant(database, Role.READER)
    customer = await inserted_customer(database, reader)
    async with database.session(reader.tenant_id) as session:
        row = models.Contract(tenant_id=reader.tenant_id, customer_id=from_global_id(customer)[1],
                              number="K-R")  # fmt: skip
        session.add(row)
        await session.commit()
    contract = to_global_id("Contract", row.id)
    created = await gql(client, reader, CREATE, {"input": {"customerId": customer, "number": "B"}})
    updated = await gql(client, reader, UPDATE, {"id": contract, "input": {"title": "C"}})
    deleted = await gql(client, reader, DELETE, {"id": contract})
    for payload in (
        created["contractCreate"],
        updated["contractUpdate"],
        deleted["contractDelete"],
    ):
        assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await gql(client, reader, NODE, {"id": contract}))["node"]["number"] == "K-R"


async def _numbers(client: httpx.AsyncClient, caller: TenantWithKey, **variables: Any) -> list[str]:
    data = await gql(client, caller, LIST, variables)
    return [node["number"] for node in data["contracts"]["nodes"]]


async def test_filters_search_and_pages(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    acme = await inserted_customer(database, editor, code="ACME", legal_name="Acme Ltda")
    zeta = await inserted_customer(database, editor, code="ZETA", legal_name="Zeta S.A.")
    await _create(client, editor, acme, number="K-1", title="Fibra óptica",
                  startsOn="2024-01-01", endsOn="2024-06-30")  # fmt: skip
    await _create(client, editor, acme, number="K-2", title="Telefonia", status="EXPIRED",
                  startsOn="2023-01-01", endsOn="2023-12-31")  # fmt: skip
    await _create(client, editor, zeta, number="K-3", startsOn="2024-03-01")
    await _create(client, editor, zeta, number="Z-9", status="DRAFT")
    started_2024 = {"startsOn": {"gte": "2024-01-01", "lte": "2024-12-31"}}
    assert await _numbers(client, editor, filter=started_2024) == ["K-1", "K-3"]
    assert await _numbers(client, editor, filter={"endsOn": {"lt": "2024-01-01"}}) == ["K-2"]
    assert await _numbers(client, editor, filter={"endsOn": {"isNull": True}}) == ["K-3", "Z-9"]
    assert await _numbers(client, editor, filter={"status": {"in": ["DRAFT", "EXPIRED"]}}) == [
        "K-2", "Z-9",
    ]  # fmt: skip
    assert await _numbers(client, editor, filter={"status": {"eq": "ACTIVE"}}) == ["K-1", "K-3"]
    assert await _numbers(client, editor, filter={"customer": {"code": {"eq": "ACME"}}}) == [
        "K-1", "K-2",
    ]  # fmt: skip
    running = {"and": [{"customer": {"legalName": {"startsWith": "zeta"}}},
                       {"not": {"status": {"eq": "DRAFT"}}}]}  # fmt: skip
    assert await _numbers(client, editor, filter=running) == ["K-3"]
    either = {"or": [{"number": {"startsWith": "z"}}, {"title": {"contains": "optica"}}]}
    assert await _numbers(client, editor, filter=either) == ["K-1", "Z-9"]
    assert await _numbers(client, editor, search="telefonia") == ["K-2"]
    assert await _numbers(client, editor, search="z-9") == ["Z-9"]
    by_status = await _numbers(client, editor, orderBy=[{"field": "STATUS"}])
    assert set(by_status[:2]) == {"K-1", "K-3"} and by_status[2:] == ["Z-9", "K-2"]  # id ties
    seen, after = [], None
    while True:
        page = (await gql(client, editor, LIST, {"first": 3, "after": after}))["contracts"]
        assert page["totalCount"] == 4
        seen += [node["number"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["K-1", "K-2", "K-3", "Z-9"]


async def test_history_and_tenancy(client: httpx.AsyncClient, database: Database) -> None:
    a = await committed_tenant(database, Role.EDITOR)
    b = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, a, await inserted_customer(database, a), number="K-1", title="Old")
    await gql(client, a, UPDATE, {"id": made["id"], "input": {"title": "New"}})
    query = """query($id: ID!) { node(id: $id) { ... on Contract {
        history { totalCount edges { node { action changes } } } } } }"""
    history = (await gql(client, a, query, {"id": made["id"]}))["node"]["history"]
    assert history["totalCount"] == 2
    latest, first = (edge["node"] for edge in history["edges"])
    assert latest == {"action": "Contract.update",
                      "changes": {"title": {"before": "Old", "after": "New"}}}  # fmt: skip
    assert first["action"] == "Contract.create"
    assert first["changes"]["status"] == {"before": None, "after": "ACTIVE"}
    assert (await gql(client, b, NODE, {"id": made["id"]}))["node"] is None
    assert (await gql(client, b, LIST, {}))["contracts"]["totalCount"] == 0
    deleted = await gql(client, b, DELETE, {"id": made["id"]})
    assert deleted["contractDelete"]["userErrors"][0]["code"] == "NOT_FOUND"
