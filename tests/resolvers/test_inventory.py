"""Inventory over GraphQL: ownership rules, serials, transfer, replace, versions, history, roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from clientbase import models
from clientbase.core.db import Database
from clientbase.schema.ids import from_global_id, to_global_id
from clientbase.services.auth.principal import Role
from clientbase.services.normalise import name_key
from tests.helpers import TenantWithKey, committed_tenant, gql

ITEM = """id serialNumber description notes status version customer { code }
  productType { name } site { name } contract { number }"""
RESULT = f"inventoryItem {{ {ITEM} }} userErrors {{ field code message }}"
CREATE = f"""mutation($input: InventoryItemCreateInput!) {{
  inventoryItemCreate(input: $input) {{ {RESULT} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: InventoryItemUpdateInput!, $v: Int) {{
  inventoryItemUpdate(id: $id, input: $input, expectedVersion: $v) {{ {RESULT} }} }}"""
TRANSFER = f"""mutation($id: ID!, $siteId: ID!) {{
  inventoryItemTransfer(id: $id, siteId: $siteId) {{ {RESULT} }} }}"""
REPLACE = f"""mutation($id: ID!, $input: InventoryItemReplaceInput!) {{
  inventoryItemReplace(id: $id, input: $input) {{ {RESULT} }} }}"""
DELETE = """mutation($id: ID!) { inventoryItemDelete(id: $id) {
  deletedId userErrors { field code message } } }"""
NODE = f"""query($id: ID!) {{ node(id: $id) {{ ... on InventoryItem {{ {ITEM}
  replacedBy {{ serialNumber }} replaces {{ serialNumber }}
  history {{ nodes {{ action changes }} }} }} }} }}"""

# The rows of every test world, by label; TYPES gives each label's global id type.
CUSTOMERS = {"acme": ("ACME", "Acme Ltd"), "globex": ("GLOBEX", "Globex Corp")}
PRODUCT_TYPES = {"router": ("Router X200", "PRODUCT"), "fiber": ("Fiber Link", "SERVICE")}
CONTRACTS = {"acme_k1": ("acme", "K-ACME-1", "ACTIVE"), "acme_k2": ("acme", "K-ACME-2", "EXPIRED"),
             "globex_k": ("globex", "K-GLOBEX", "ACTIVE")}  # fmt: skip
SITES = {"acme_hq": ("acme", "Acme HQ"), "acme_plant": ("acme", "Acme Plant"),
         "globex_hq": ("globex", "Globex HQ")}  # fmt: skip
TYPES = {**dict.fromkeys(CUSTOMERS, "Customer"), **dict.fromkeys(PRODUCT_TYPES, "ProductType"),
         **dict.fromkeys(CONTRACTS, "Contract"), **dict.fromkeys(SITES, "Site")}  # fmt: skip


@dataclass
class World:
    """A tenant with two customers, their contracts and sites, and two product types."""

    caller: TenantWithKey
    rows: dict[str, uuid.UUID]

    def gid(self, label: str) -> str:
        return to_global_id(TYPES[label], self.rows[label])

    def item_input(self, serial: str, **overrides: str) -> dict[str, Any]:
        return {"customerId": self.gid("acme"), "contractId": self.gid("acme_k1"),
                "siteId": self.gid("acme_hq"), "productTypeId": self.gid("router"),
                "serialNumber": serial, **overrides}  # fmt: skip


async def make_world(database: Database, role: Role = Role.EDITOR) -> World:
    caller = await committed_tenant(database, role)
    t = caller.tenant_id
    rows = {label: uuid.uuid4() for label in TYPES}
    async with database.session(t) as session:
        session.add_all(
            [models.Customer(id=rows[k], tenant_id=t, code=code, kind="COMPANY", legal_name=name,
                             name_key=name_key(name))
             for k, (code, name) in CUSTOMERS.items()]
            + [models.ProductType(id=rows[k], tenant_id=t, name=name, kind=kind)
               for k, (name, kind) in PRODUCT_TYPES.items()]
        )  # fmt: skip
        await session.flush()
        session.add_all(
            [models.Contract(id=rows[k], tenant_id=t, customer_id=rows[c], number=n, status=s)
             for k, (c, n, s) in CONTRACTS.items()]
            + [models.Site(id=rows[k], tenant_id=t, customer_id=rows[c], name=name)
               for k, (c, name) in SITES.items()]
        )  # fmt: skip
        await session.commit()
    return World(caller, rows)


async def add_items(database: Database, world: World, count: int, prefix: str = "BULK") -> None:
    """Items straight into the database, spread over both customers, for list tests."""
    t, r = world.caller.tenant_id, world.rows
    places = [
        ("acme", "acme_k1", "acme_hq", "router"),
        ("globex", "globex_k", "globex_hq", "fiber"),
    ]
    async with database.session(t) as session:
        for index in range(count):
            customer, contract, site, product = places[index % 2]
            session.add(models.InventoryItem(
                tenant_id=t, customer_id=r[customer], contract_id=r[contract], site_id=r[site],
                product_type_id=r[product], serial_number=f"{prefix}-{index:03d}"))  # fmt: skip
        await session.commit()


async def mutate(client: httpx.AsyncClient, world: World, query: str, **variables: Any) -> Any:
    data = await gql(client, world.caller, query, variables)
    return next(iter(data.values()))


async def create_item(client: httpx.AsyncClient, world: World, serial: str, **fields: str) -> Any:
    payload = await mutate(client, world, CREATE, input=world.item_input(serial, **fields))
    assert payload["userErrors"] == [], payload
    return payload["inventoryItem"]


def errors(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def test_create_and_read_back(client: httpx.AsyncClient, database: Database) -> None:
    world = await make_world(database)
    made = await create_item(client, world, " SN-1 ", description="Edge router")
    assert made == {
        "id": made["id"], "serialNumber": "SN-1", "description": "Edge router", "notes": None,
        "status": "ACTIVE", "version": 1, "customer": {"code": "ACME"},
        "productType": {"name": "Router X200"}, "site": {"name": "Acme HQ"},
        "contract": {"number": "K-ACME-1"},
    }  # fmt: skip
    node = (await gql(client, world.caller, NODE, {"id": made["id"]}))["node"]
    assert node["serialNumber"] == "SN-1" and node["replaces"] is None


async def test_serial_is_unique_per_product_type(
    client: httpx.AsyncClient, database: Database
) -> None:
    world = await make_world(database)
    await create_item(client, world, "SN-1")
    taken = await mutate(client, world, CREATE, input=world.item_input("SN-1"))
    assert taken["inventoryItem"] is None
    assert taken["userErrors"] == [{"field": ["input", "serialNumber"], "code": "TAKEN",
                                    "message": "An item of this product type has this serial number."}]  # fmt: skip
    other_type = await create_item(client, world, "SN-1", productTypeId=world.gid("fiber"))
    assert other_type["productType"] == {"name": "Fiber Link"}


async def test_contract_and_site_must_be_the_customers(
    client: httpx.AsyncClient, database: Database
) -> None:
    world = await make_world(database)
    wrong = world.item_input("SN-1", contractId=world.gid("globex_k"),
                             siteId=world.gid("globex_hq"))  # fmt: skip
    payload = await mutate(client, world, CREATE, input=wrong)
    assert payload["inventoryItem"] is None
    assert errors(payload) == [(["input", "contractId"], "WRONG_CUSTOMER"),
                               (["input", "siteId"], "WRONG_CUSTOMER")]  # fmt: skip
    for_globex = world.item_input("SN-1", customerId=world.gid("globex"))
    assert errors(await mutate(client, world, CREATE, input=for_globex)) == [
        (["input", "contractId"], "WRONG_CUSTOMER"),
        (["input", "siteId"], "WRONG_CUSTOMER"),
    ]


async def test_unknown_and_foreign_ids_are_not_found(
    client: httpx.AsyncClient, database: Database
) -> None:
    world = await make_world(database)
    stranger = await make_world(database)
    unknown = world.item_input(
        "SN-1",
        customerId=stranger.gid("acme"),  # another tenant's: invisible under row-level security
        contractId=to_global_id("Contract", uuid.uuid4()),
        siteId=world.gid("acme_k1"),  # a contract's id where a site's is due
        productTypeId="garbage",
    )
    payload = await mutate(client, world, CREATE, input=unknown)
    assert errors(payload) == [(["input", "siteId"], "NOT_FOUND"),
                               (["input", "productTypeId"], "NOT_FOUND")]  # fmt: skip
    unknown.update(siteId=world.gid("acme_hq"), productTypeId=world.gid("router"))
    assert errors(await mutate(client, world, CREATE, input=unknown)) == [
        (["input", "customerId"], "NOT_FOUND"),
        (["input", "contractId"], "NOT_FOUND"),
    ]


async def test_transfer(client: httpx.AsyncClient, database: Database) -> None:
    world = await make_world(database)
    item = await create_item(client, world, "SN-1")
    moved = await mutate(client, world, TRANSFER, id=item["id"], siteId=world.gid("acme_plant"))
    assert moved["userErrors"] == []
    assert moved["inventoryItem"]["site"] == {"name": "Acme Plant"}
    assert moved["inventoryItem"]["version"] == 2
    wrong = await mutate(client, world, TRANSFER, id=item["id"], siteId=world.gid("globex_hq"))
    assert errors(wrong) == [(["siteId"], "WRONG_CUSTOMER")]
    unknown = await mutate(client, world, TRANSFER, id=item["id"],
                           siteId=to_global_id("Site", uuid.uuid4()))  # fmt: skip
    assert errors(unknown) == [(["siteId"], "NOT_FOUND")]
    no_item = await mutate(client, world, TRANSFER, id=world.gid("acme_hq"),
                           siteId=world.gid("acme_plant"))  # fmt: skip
    assert errors(no_item) == [(["id"], "NOT_FOUND")]


async def test_replace(client: httpx.AsyncClient, database: Database) -> None:
    world = await make_world(database)
    old = await create_item(client, world, "SN-OLD", description="Edge router",
                            contractId=world.gid("acme_k2"), siteId=world.gid("acme_plant"))  # fmt: skip
    swap = await mutate(client, world, REPLACE, id=old["id"],
                        input={"serialNumber": "SN-NEW", "notes": "swapped under warranty"})  # fmt: skip
    assert swap["userErrors"] == []
    new = swap["inventoryItem"]
    assert (new["serialNumber"], new["status"], new["notes"]) == ("SN-NEW", "ACTIVE",
                                                                  "swapped under warranty")  # fmt: skip
    assert new["site"] == {"name": "Acme Plant"} and new["contract"] == {"number": "K-ACME-2"}
    assert new["customer"] == {"code": "ACME"} and new["description"] == "Edge router"
    old_now = (await gql(client, world.caller, NODE, {"id": old["id"]}))["node"]
    assert old_now["status"] == "REPLACED"
    assert old_now["replacedBy"] == {"serialNumber": "SN-NEW"}
    new_now = (await gql(client, world.caller, NODE, {"id": new["id"]}))["node"]
    assert new_now["replaces"] == {"serialNumber": "SN-OLD"} and new_now["replacedBy"] is None

    again = await mutate(client, world, REPLACE, id=old["id"], input={"serialNumber": "SN-3"})
    assert errors(again) == [(["id"], "INVALID_STATE")]
    stuck = await mutate(client, world, TRANSFER, id=old["id"], siteId=world.gid("acme_hq"))
    assert errors(stuck) == [(["id"], "INVALID_STATE")]
    taken = await mutate(client, world, REPLACE, id=new["id"], input={"serialNumber": "SN-OLD"})
    assert errors(taken) == [(["input", "serialNumber"], "TAKEN")]
    typed = await mutate(client, world, REPLACE, id=new["id"],
                         input={"serialNumber": "SN-OLD", "productTypeId": world.gid("fiber")})  # fmt: skip
    assert typed["inventoryItem"]["productType"] == {"name": "Fiber Link"}


async def test_update_versions_and_delete(client: httpx.AsyncClient, database: Database) -> None:
    world = await make_world(database)
    item = await create_item(client, world, "SN-1")
    changes = {"notes": "rack 4", "status": "RETURNED", "contractId": world.gid("acme_k2")}
    updated = await mutate(client, world, UPDATE, id=item["id"], input=changes, v=1)
    assert updated["userErrors"] == []
    assert {k: updated["inventoryItem"][k] for k in ("notes", "status", "contract", "version")} == {
        "notes": "rack 4", "status": "RETURNED", "contract": {"number": "K-ACME-2"}, "version": 2,
    }  # fmt: skip
    stale = await mutate(client, world, UPDATE, id=item["id"], input={"notes": "x"}, v=1)
    assert errors(stale) == [(["expectedVersion"], "VERSION_CONFLICT")]
    wrong = await mutate(client, world, UPDATE, id=item["id"],
                         input={"contractId": world.gid("globex_k")})  # fmt: skip
    assert errors(wrong) == [(["input", "contractId"], "WRONG_CUSTOMER")]
    replaced = await mutate(client, world, UPDATE, id=item["id"], input={"status": "REPLACED"})
    assert errors(replaced) == [(["input", "status"], "INVALID")]

    deleted = await mutate(client, world, DELETE, id=item["id"])
    assert deleted == {"deletedId": item["id"], "userErrors": []}
    assert (await gql(client, world.caller, NODE, {"id": item["id"]}))["node"] is None
    again = await mutate(client, world, DELETE, id=item["id"])
    assert errors(again) == [(["id"], "NOT_FOUND")]


async def test_history_shows_every_move(client: httpx.AsyncClient, database: Database) -> None:
    world = await make_world(database)
    item = await create_item(client, world, "SN-1")
    await mutate(client, world, UPDATE, id=item["id"], input={"notes": "rack 4"})
    await mutate(client, world, TRANSFER, id=item["id"], siteId=world.gid("acme_plant"))
    new = (await mutate(client, world, REPLACE, id=item["id"],
                        input={"serialNumber": "SN-2"}))["inventoryItem"]  # fmt: skip
    history = (await gql(client, world.caller, NODE, {"id": item["id"]}))["node"]["history"]
    events = history["nodes"]
    assert [e["action"] for e in events] == ["InventoryItem.replace", "InventoryItem.transfer",
                                             "InventoryItem.update", "InventoryItem.create"]  # fmt: skip
    replace, transfer, update, create = (e["changes"] for e in events)
    new_row_id = str(from_global_id(new["id"])[1])
    assert replace == {"status": {"before": "ACTIVE", "after": "REPLACED"},
                       "replaced_by_id": {"before": None, "after": new_row_id}}  # fmt: skip
    assert transfer == {"site_id": {"before": str(world.rows["acme_hq"]),
                                    "after": str(world.rows["acme_plant"])}}  # fmt: skip
    assert update == {"notes": {"before": None, "after": "rack 4"}}
    assert create["serial_number"] == {"before": None, "after": "SN-1"}
    assert create["site_id"]["after"] == str(world.rows["acme_hq"])
    new_history = (await gql(client, world.caller, NODE, {"id": new["id"]}))["node"]["history"]
    assert [e["action"] for e in new_history["nodes"]] == ["InventoryItem.create"]


async def test_readers_cannot_write(client: httpx.AsyncClient, database: Database) -> None:
    world = await make_world(database, Role.READER)
    payload = await mutate(client, world, CREATE, input=world.item_input("SN-1"))
    assert payload["inventoryItem"] is None
    assert errors(payload) == [(None, "FORBIDDEN")]
    await add_items(database, world, 1)
    listed = await gql(client, world.caller, "{ inventoryItems { nodes { id } } }")
    item_id = listed["inventoryItems"]["nodes"][0]["id"]
    for query, variables in ((TRANSFER, {"siteId": world.gid("acme_plant")}),
                             (REPLACE, {"input": {"serialNumber": "X"}}),
                             (UPDATE, {"input": {"notes": "x"}}), (DELETE, {})):  # fmt: skip
        payload = await mutate(client, world, query, id=item_id, **variables)
        assert errors(payload) == [(None, "FORBIDDEN")]


async def test_other_tenants_items_are_invisible(
    client: httpx.AsyncClient, database: Database
) -> None:
    world = await make_world(database)
    stranger = await make_world(database)
    item = await create_item(client, world, "SN-1")
    assert (await gql(client, stranger.caller, NODE, {"id": item["id"]}))["node"] is None
    listed = await gql(client, stranger.caller, "{ inventoryItems { totalCount } }")
    assert listed["inventoryItems"]["totalCount"] == 0
    for query, variables in ((TRANSFER, {"siteId": stranger.gid("acme_plant")}),
                             (UPDATE, {"input": {"notes": "x"}}), (DELETE, {})):  # fmt: skip
        payload = await mutate(client, stranger, query, id=item["id"], **variables)
        assert errors(payload) == [(["id"], "NOT_FOUND")]
