"""The customer 360 view: nested create all or nothing, and a fixed number of statements."""

from __future__ import annotations

import uuid

import httpx

from clientbase import models
from clientbase.core.db import Database
from clientbase.services.auth.principal import Role
from tests.conftest import StatementCounter
from tests.helpers import committed_tenant, gql

CREATE = """mutation($input: CustomerCreateInput!) { customerCreate(input: $input) {
  customer { code contacts { totalCount nodes { fullName isPrimary } } sites { nodes { name } }
             contracts { nodes { number status } } }
  userErrors { field code message } } }"""

VIEW_360 = """query($first: Int) {
  customers(first: $first) { totalCount edges { node {
    id code legalName category { name }
    overview { contacts sites contracts contractsByStatus { status count } items
               itemsByProductType { productTypeName count } }
    contacts(first: 10) { totalCount nodes { fullName email } }
    sites(first: 10) { nodes { name address { city } } }
    contracts(first: 10) { nodes { number status } }
    inventory(first: 20) { totalCount nodes {
      serialNumber productType { name } site { name } contract { number } } }
  } } } }"""


async def test_nested_create_writes_everything(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    data = {
        "code": "N-1", "legalName": "Construções Irmãos Araújo S.A.",
        "contacts": [{"firstName": "Ana", "lastName": "Araújo", "isPrimary": True},
                     {"fullName": "João Silva", "email": "joao@araujo.com.br"}],
        "sites": [{"name": "Matriz", "address": {"city": "Recife"}}, {"name": "Filial"}],
        "contracts": [{"number": f"K-{uuid.uuid4().hex[:6]}", "startsOn": "2026-01-01"}],
    }  # fmt: skip
    payload = (await gql(client, editor, CREATE, {"input": data}))["customerCreate"]
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert customer["contacts"]["totalCount"] == 2
    assert {c["fullName"] for c in customer["contacts"]["nodes"]} == {"Ana Araújo", "João Silva"}
    assert [s["name"] for s in customer["sites"]["nodes"]] == ["Filial", "Matriz"]
    assert customer["contracts"]["nodes"][0]["status"] == "ACTIVE"


async def test_a_failure_on_the_last_child_writes_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    taken = f"K-{uuid.uuid4().hex[:6]}"
    first = {"code": "FIRST", "legalName": "First", "contracts": [{"number": taken}]}
    assert (await gql(client, editor, CREATE, {"input": first}))["customerCreate"][
        "userErrors"
    ] == []
    data = {
        "code": "N-2", "legalName": "Padaria São João Ltda",
        "contacts": [{"fullName": "Maria"}], "sites": [{"name": "Loja"}],
        "contracts": [{"number": f"K-{uuid.uuid4().hex[:6]}"}, {"number": taken}],
    }  # fmt: skip
    payload = (await gql(client, editor, CREATE, {"input": data}))["customerCreate"]
    assert payload["customer"] is None
    assert payload["userErrors"] == [{
        "field": ["input", "contracts", "1", "number"], "code": "TAKEN",
        "message": "Another contract has this number.",
    }]  # fmt: skip
    counts = await gql(
        client,
        editor,
        """{ customers(filter: {code: {eq: "N-2"}}) { totalCount }
        contacts { totalCount } sites { totalCount } contracts { totalCount } }""",
    )
    assert counts == {"customers": {"totalCount": 0}, "contacts": {"totalCount": 0},
                      "sites": {"totalCount": 0}, "contracts": {"totalCount": 1}}  # fmt: skip


async def test_shape_problems_of_all_children_come_together(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    data = {
        "code": "N-3", "legalName": "Três",
        "contacts": [{"fullName": "A", "isPrimary": True}, {"fullName": "B", "isPrimary": True}],
        "contracts": [{"number": "K", "startsOn": "2026-02-01", "endsOn": "2026-01-01"}],
    }  # fmt: skip
    payload = (await gql(client, editor, CREATE, {"input": data}))["customerCreate"]
    fields = {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]}
    assert fields == {(("input", "contacts", "1", "isPrimary"), "INVALID"),
                      (("input", "contracts", "0", "endsOn"), "INVALID")}  # fmt: skip


async def _seed(database: Database, tenant_id: uuid.UUID, customers: int) -> None:
    async with database.session(tenant_id) as session:
        category = models.CustomerCategory(id=uuid.uuid4(), tenant_id=tenant_id, name="Retail")
        product = models.ProductType(
            id=uuid.uuid4(), tenant_id=tenant_id, name="Router", kind="PRODUCT"
        )
        session.add_all([category, product])
        for n in range(customers):
            customer = models.Customer(id=uuid.uuid4(), tenant_id=tenant_id, code=f"V{n:03d}",
                                       kind="COMPANY", legal_name=f"Customer {n}",
                                       name_key=f"customer {n}",
                                       category_id=category.id)  # fmt: skip
            sites = [models.Site(id=uuid.uuid4(), tenant_id=tenant_id, customer_id=customer.id,
                                 name=f"Site {i}", address_city="Lisboa") for i in range(2)]  # fmt: skip
            contract = models.Contract(id=uuid.uuid4(), tenant_id=tenant_id, customer_id=customer.id,
                                       number=f"K{n:03d}")  # fmt: skip
            contacts = [models.Contact(id=uuid.uuid4(), tenant_id=tenant_id, customer_id=customer.id,
                                       full_name=f"Person {n}.{i}") for i in range(2)]  # fmt: skip
            items = [models.InventoryItem(id=uuid.uuid4(), tenant_id=tenant_id, customer_id=customer.id,
                                          contract_id=contract.id, site_id=sites[i % 2].id,
                                          product_type_id=product.id, serial_number=f"SN{n}-{i}")
                     for i in range(3)]  # fmt: skip
            session.add(customer)
            await session.flush()
            session.add_all([*sites, contract, *contacts])
            await session.flush()
            session.add_all(items)
        await session.commit()


async def test_the_360_view_costs_the_same_for_1_and_50_customers(
    client: httpx.AsyncClient, database: Database, count_statements: StatementCounter
) -> None:
    reader = await committed_tenant(database, Role.READER)
    await _seed(database, reader.tenant_id, 50)
    costs = {}
    for first in (1, 50):
        count_statements.reset()
        data = await gql(client, reader, VIEW_360, {"first": first})
        costs[first] = count_statements.count
        edges = data["customers"]["edges"]
        assert len(edges) == first
        node = edges[-1]["node"]
        assert node["category"] == {"name": "Retail"}
        assert node["contacts"]["totalCount"] == 2 and len(node["sites"]["nodes"]) == 2
        assert node["inventory"]["totalCount"] == 3
        assert node["overview"] == {
            "contacts": 2, "sites": 2, "contracts": 1,
            "contractsByStatus": [{"status": "ACTIVE", "count": 1}], "items": 3,
            "itemsByProductType": [{"productTypeName": "Router", "count": 3}],
        }  # fmt: skip
        item = node["inventory"]["nodes"][0]
        assert item["productType"] == {"name": "Router"} and item["contract"]["number"].startswith(
            "K"
        )
    assert costs[1] == costs[50], costs
    assert costs[50] <= 24, costs
