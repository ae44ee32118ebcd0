"""Sites over GraphQL: create, unique names, address updates, delete rules, lists, history."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from clientbase import models
from clientbase.core.db import Database
from clientbase.schema.ids import from_global_id, to_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql, inserted_customer

FIELDS = "id name version address { line1 number city postalCode country }"
CREATE = f"""mutation($input: SiteCreateInput!) {{
  siteCreate(input: $input) {{ site {{ {FIELDS} customer {{ code }} }}
    userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: SiteUpdateInput!, $v: Int) {{
  siteUpdate(id: $id, input: $input, expectedVersion: $v) {{
    site {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""
DELETE = "mutation($id: ID!) { siteDelete(id: $id) { deletedId userErrors { field code } } }"
LIST = """query($filter: SiteFilter, $search: String, $first: Int, $after: String,
                 $orderBy: [SiteOrder!]) {
  sites(filter: $filter, search: $search, first: $first, after: $after, orderBy: $orderBy) {
    totalCount nodes { name } pageInfo { hasNextPage endCursor } } }"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Site {{ {FIELDS} }} }} }}"


async def _create(client: httpx.AsyncClient, caller: TenantWithKey, customer: str,
                  **fields: Any) -> dict[str, Any]:  # fmt: skip
    payload = await gql(client, caller, CREATE, {"input": {"customerId": customer, **fields}})
    assert payload["siteCreate"]["userErrors"] == [], payload
    return payload["siteCreate"]["site"]  # type: ignore[no-any-return]


async def _errors(client: httpx.AsyncClient, caller: TenantWithKey, **input: Any) -> set[tuple]:
    payload = (await gql(client, caller, CREATE, {"input": input}))["siteCreate"]
    assert payload["site"] is None
    return {(tuple(e["field"] or ()), e["code"]) for e in payload["userErrors"]}


async def test_create_and_read_back(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor, code="C-SITE")
    made = await _create(client, editor, customer, name=" Head office ",
                         address={"line1": "Av. Paulista", "number": "1000", "city": "São Paulo",
                                  "postalCode": "01310-100", "country": "BR"})  # fmt: skip
    assert made["name"] == "Head office" and made["version"] == 1
    assert made["address"]["city"] == "São Paulo" and made["address"]["country"] == "BR"
    assert made["customer"] == {"code": "C-SITE"}
    bare = await _create(client, editor, customer, name="Warehouse")
    assert bare["address"] is None
    node = (await gql(client, editor, NODE, {"id": made["id"]}))["node"]
    assert node["name"] == "Head office" and node["address"]["postalCode"] == "01310-100"


async def test_shape_problems_and_missinginserted_customer(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    other = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor)
    problems = await _errors(client, editor, customerId=customer, name=" ",
                             address={"country": "Brazil", "city": "x" * 121})  # fmt: skip
    assert problems == {
        (("input", "name"), "REQUIRED"),
        (("input", "address", "country"), "INVALID"),
        (("input", "address", "city"), "INVALID"),
    }
    for customer_id in (
        await inserted_customer(database, other),
        to_global_id("Customer", uuid.uuid4()),
    ):
        missing = await _errors(client, editor, customerId=customer_id, name="Plant")
        assert missing == {(("input", "customerId"), "NOT_FOUND")}


async def test_names_are_unique_perinserted_customer(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    acme, zeta = (
        await inserted_customer(database, editor),
        await inserted_customer(database, editor),
    )
    await _create(client, editor, acme, name="Plant")
    taken = await gql(client, editor, CREATE, {"input": {"customerId": acme, "name": "Plant"}})
    assert taken["siteCreate"]["userErrors"] == [
        {"field": ["input", "name"], "code": "TAKEN",
         "message": "The customer has a site of this name."},
    ]  # fmt: skip
    await _create(client, editor, zeta, name="Plant")  # another customer may use it
    second = await _create(client, editor, acme, name="Shop")
    renamed = await gql(client, editor, UPDATE, {"id": second["id"], "input": {"name": "Plant"}})
    assert renamed["siteUpdate"]["userErrors"][0]["code"] == "TAKEN"


async def test_partial_update_and_versions(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor, await inserted_customer(database, editor), name="Plant",
                         address={"city": "Recife", "country": "BR"})  # fmt: skip
    renamed = await gql(
        client, editor, UPDATE, {"id": made["id"], "input": {"name": "Plant 1"}, "v": 1}
    )
    site = renamed["siteUpdate"]["site"]
    assert site["name"] == "Plant 1" and site["version"] == 2
    assert site["address"]["city"] == "Recife"  # absent stays
    moved = await gql(client, editor, UPDATE,
                      {"id": made["id"], "input": {"address": {"city": "Olinda"}}})  # fmt: skip
    assert moved["siteUpdate"]["site"]["address"] == {
        "line1": None, "number": None, "city": "Olinda", "postalCode": None, "country": None,
    }  # fmt: skip
    cleared = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"address": None}})
    assert cleared["siteUpdate"]["site"]["address"] is None  # explicit null clears
    blank = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"name": ""}})
    assert blank["siteUpdate"]["userErrors"][0] == {
        "field": ["input", "name"], "code": "REQUIRED", "message": "`name` is required.",
    }  # fmt: skip
    stale = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"name": "X"}, "v": 1})
    assert stale["siteUpdate"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    same = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"name": "Plant 1"}})
    assert same["siteUpdate"]["site"]["version"] == 4  # nothing changed, no bump


async def test_delete_refused_while_inventory_is_installed(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor)
    empty = await _create(client, editor, customer, name="Empty")
    used = await _create(client, editor, customer, name="Used")
    tenant, customer_id = editor.tenant_id, from_global_id(customer)[1]
    async with database.session(tenant) as session:
        product = models.ProductType(
            id=uuid.uuid4(), tenant_id=tenant, name="Router", kind="PRODUCT"
        )
        contract = models.Contract(id=uuid.uuid4(), tenant_id=tenant, customer_id=customer_id,
                                   number="K-1")  # fmt: skip
        session.add_all([product, contract])
        await session.flush()
        session.add(models.InventoryItem(tenant_id=tenant, customer_id=customer_id,
                                         contract_id=contract.id, product_type_id=product.id,
                                         site_id=from_global_id(used["id"])[1], serial_number="SN1"))  # fmt: skip
        await session.commit()
    refused = await gql(client, editor, DELETE, {"id": used["id"]})
    assert refused["siteDelete"] == {
        "deletedId": None, "userErrors": [{"field": ["id"], "code": "HAS_DEPENDENTS"}],
    }  # fmt: skip
    assert (await gql(client, editor, NODE, {"id": used["id"]}))["node"]["name"] == "Used"
    deleted = await gql(client, editor, DELETE, {"id": empty["id"]})
    assert deleted["siteDelete"] == {"deletedId": empty["id"], "userErrors": []}
    again = await gql(client, editor, DELETE, {"id": empty["id"]})
    assert again["siteDelete"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]


async def test_readers_cannot_write(client: httpx.AsyncClient, database: Database) -> None:
    reader = await committed_tenant(database, Role.READER)
    customer = await inserted_customer(database, reader)
    async with database.session(reader.tenant_id) as session:
        row = models.Site(tenant_id=reader.tenant_id, customer_id=from_global_id(customer)[1],
                          name="Plant")  # fmt: skip
        session.add(row)
        await session.commit()
    site = to_global_id("Site", row.id)
    created = await gql(client, reader, CREATE, {"input": {"customerId": customer, "name": "B"}})
    updated = await gql(client, reader, UPDATE, {"id": site, "input": {"name": "C"}})
    deleted = await gql(client, reader, DELETE, {"id": site})
    for payload in (created["siteCreate"], updated["siteUpdate"], deleted["siteDelete"]):
        assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await gql(client, reader, NODE, {"id": site}))["node"]["name"] == "Plant"


async def _names(client: httpx.AsyncClient, caller: TenantWithKey, **variables: Any) -> list[str]:
    data = await gql(client, caller, LIST, variables)
    return [node["name"] for node in data["sites"]["nodes"]]


async def test_filters_search_and_pages(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    acme = await inserted_customer(database, editor, code="ACME", legal_name="Acme Ltda")
    zeta = await inserted_customer(database, editor, code="ZETA", legal_name="Zeta S.A.")
    await _create(client, editor, acme, name="Alpha",
                  address={"line1": "Rua Augusta", "city": "São Paulo", "postalCode": "01305-000"})  # fmt: skip
    await _create(client, editor, acme, name="Bravo", address={"city": "Recife", "country": "BR"})
    await _create(client, editor, zeta, name="Charlie", address={"city": "Sao Paulo"})
    assert await _names(client, editor, filter={"city": {"contains": "são paulo"}}) == [
        "Alpha", "Charlie",
    ]  # fmt: skip
    assert await _names(client, editor, filter={"name": {"in": ["Bravo", "Charlie"]}}) == [
        "Bravo", "Charlie",
    ]  # fmt: skip
    assert await _names(client, editor, filter={"customer": {"code": {"eq": "ZETA"}}}) == [
        "Charlie"
    ]
    assert await _names(client, editor, filter={"customer": {"id": {"in": [acme]}}}) == [
        "Alpha", "Bravo",
    ]  # fmt: skip
    either = {"or": [{"country": {"eq": "BR"}}, {"postalCode": {"startsWith": "01305"}}]}
    assert await _names(client, editor, filter=either) == ["Alpha", "Bravo"]
    assert await _names(client, editor, filter={"not": {"city": {"startsWith": "s"}}}) == ["Bravo"]
    assert await _names(client, editor, search="augusta") == ["Alpha"]
    assert await _names(client, editor, search="01305") == ["Alpha"]
    assert await _names(client, editor, search="recife") == ["Bravo"]
    assert await _names(client, editor, orderBy=[{"field": "NAME", "direction": "DESC"}]) == [
        "Charlie", "Bravo", "Alpha",
    ]  # fmt: skip
    first = (await gql(client, editor, LIST, {"first": 2}))["sites"]
    assert [n["name"] for n in first["nodes"]] == ["Alpha", "Bravo"] and first["totalCount"] == 3
    rest = await _names(client, editor, first=2, after=first["pageInfo"]["endCursor"])
    assert rest == ["Charlie"]


async def test_history_and_tenancy(client: httpx.AsyncClient, database: Database) -> None:
    a = await committed_tenant(database, Role.EDITOR)
    b = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, a, await inserted_customer(database, a), name="Old")
    await gql(client, a, UPDATE, {"id": made["id"], "input": {"name": "New"}})
    query = """query($id: ID!) { node(id: $id) { ... on Site {
        history { totalCount edges { node { action changes } } } } } }"""
    history = (await gql(client, a, query, {"id": made["id"]}))["node"]["history"]
    assert history["totalCount"] == 2
    latest, first = (edge["node"] for edge in history["edges"])
    assert latest == {
        "action": "Site.update",
        "changes": {"name": {"before": "Old", "after": "New"}},
    }
    assert first["action"] == "Site.create" and first["changes"]["name"]["after"] == "Old"
    assert (await gql(client, b, NODE, {"id": made["id"]}))["node"] is None
    assert (await gql(client, b, LIST, {}))["sites"]["totalCount"] == 0
    update = await gql(client, b, UPDATE, {"id": made["id"], "input": {"name": "Mine"}})
    assert update["siteUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"
