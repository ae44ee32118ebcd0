"""customersMerge, customersMergeUndo and duplicateCandidateResolve(MERGE) over HTTP: the
payloads, the merged customer's global id, validation, tenancy, versions, idempotency."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import text

from clientbase.core.db import Database
from clientbase.models import DuplicateCandidate
from clientbase.schema.ids import to_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql
from tests.models.factories import (
    make_contact,
    make_contract,
    make_customer,
    make_item,
    make_site,
)

MERGE = """mutation($s: ID!, $m: [ID!]!, $o: [CustomerMergeOverride!], $v: Int, $mv: [Int!]) {
  customersMerge(survivorId: $s, mergedIds: $m, fieldOverrides: $o, expectedVersion: $v,
                 mergedExpectedVersions: $mv) {
    mergeId userErrors { field code message }
    customer { id legalName version overview { contacts sites contracts items }
               sites { nodes { name } } } } }"""
UNDO = """mutation($id: ID!) { customersMergeUndo(mergeId: $id) {
  mergeId userErrors { field code message } customer { id legalName } } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Customer { id status version
  mergedInto { id } overview { contacts items } } } }"""


def gid(row_id: uuid.UUID) -> str:
    return to_global_id("Customer", row_id)


async def world(database: Database, caller: TenantWithKey) -> dict[str, str]:
    """Survivor S and customers A, B to merge into it, each with a contact, a site, a
    contract and an item; A's site has the name of S's."""
    tenant = caller.tenant_id
    ids: dict[str, str] = {}
    async with database.session(tenant) as db:
        for name, legal, site in (("s", "Padaria Aurora Ltda", "Loja"), ("a", "Padaria Aurora",
                                  "LOJA"), ("b", "Aurora Pães", "Fábrica")):  # fmt: skip
            customer = await make_customer(db, tenant, legal_name=legal, code=f"{name.upper()}-1")
            await make_contact(db, tenant, customer, full_name=f"Contact {name}")
            contract = await make_contract(db, tenant, customer)
            site_id = await make_site(db, tenant, customer, name=site)
            await make_item(db, tenant, customer, contract_id=contract, site_id=site_id)
            ids[name] = gid(customer)
            ids[f"{name}_raw"] = str(customer)
        await db.commit()
    return ids


async def _merge(client: httpx.AsyncClient, caller: TenantWithKey, survivor: str,
                 merged: list[str], **more: Any) -> dict[str, Any]:  # fmt: skip
    variables = {"s": survivor, "m": merged, **more}
    return (await gql(client, caller, MERGE, variables))["customersMerge"]  # type: ignore[no-any-return]


async def test_merge_and_undo_through_the_api(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    done = await _merge(client, caller, w["s"], [w["a"], w["b"]],
                        o=[{"field": "LEGAL_NAME", "fromId": w["b"]}])  # fmt: skip
    assert done["userErrors"] == []
    survivor = done["customer"]
    assert survivor["id"] == w["s"] and survivor["legalName"] == "Aurora Pães"
    # Three contacts, contracts and items; "LOJA" became one with "Loja".
    assert survivor["overview"] == {"contacts": 3, "sites": 2, "contracts": 3, "items": 3}
    assert sorted(n["name"] for n in survivor["sites"]["nodes"]) == ["Fábrica", "Loja"]
    merged = (await gql(client, caller, NODE, {"id": w["a"]}))["node"]
    assert merged["status"] == "MERGED" and merged["mergedInto"] == {"id": w["s"]}
    assert merged["overview"] == {"contacts": 0, "items": 0}
    seen = await gql(client, caller, """query($id: ID!) { node(id: $id) { ... on CustomerMerge {
      status survivor { id } merged { id } } } }""", {"id": done["mergeId"]})  # fmt: skip
    assert seen["node"] == {"status": "APPLIED", "survivor": {"id": w["s"]},
                            "merged": [{"id": w["a"]}, {"id": w["b"]}]}  # fmt: skip

    undone = (await gql(client, caller, UNDO, {"id": done["mergeId"]}))["customersMergeUndo"]
    assert undone["userErrors"] == [] and undone["mergeId"] == done["mergeId"]
    assert undone["customer"] == {"id": w["s"], "legalName": "Padaria Aurora Ltda"}
    back = (await gql(client, caller, NODE, {"id": w["a"]}))["node"]
    assert back["status"] == "ACTIVE" and back["mergedInto"] is None
    assert back["overview"] == {"contacts": 1, "items": 1}
    again = (await gql(client, caller, UNDO, {"id": done["mergeId"]}))["customersMergeUndo"]
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [(["mergeId"],
                                                                       "INVALID_STATE")]  # fmt: skip


async def test_undo_after_a_change_names_it(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    done = await _merge(client, caller, w["s"], [w["a"]])
    update = """mutation($id: ID!) { customerUpdate(id: $id, input: {website: "aurora.example"})
      { userErrors { code } } }"""
    assert (await gql(client, caller, update, {"id": w["s"]}))["customerUpdate"]["userErrors"] == []
    refused = (await gql(client, caller, UNDO, {"id": done["mergeId"]}))["customersMergeUndo"]
    [error] = refused["userErrors"]
    assert error["code"] == "MERGE_CHANGED_SINCE" and "S-1" in error["message"]
    assert refused["customer"] is None


async def test_bad_arguments_are_named(client: httpx.AsyncClient, database: Database) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    cases = [
        ([w["a"], w["s"]], {}, (["mergedIds", "1"], "INVALID")),
        ([w["a"], w["a"]], {}, (["mergedIds", "1"], "INVALID")),
        ([gid(uuid.uuid4()) for _ in range(11)], {}, (["mergedIds"], "LIMIT_EXCEEDED")),
        (["not-an-id"], {}, (["mergedIds", "0"], "NOT_FOUND")),
        ([to_global_id("Site", uuid.UUID(w["a_raw"]))], {}, (["mergedIds", "0"], "NOT_FOUND")),
        ([w["a"]], {"v": 9}, (["expectedVersion"], "VERSION_CONFLICT")),
        ([w["a"]], {"mv": [1, 2]}, (["mergedExpectedVersions"], "INVALID")),
        ([w["a"]], {"o": [{"field": "PHONE", "fromId": w["b"]}]},
         (["fieldOverrides", "0", "fromId"], "INVALID")),
    ]  # fmt: skip
    for merged, more, expected in cases:
        payload = await _merge(client, caller, w["s"], merged, **more)
        found = [(e["field"], e["code"]) for e in payload["userErrors"]]
        assert expected in found, (merged, more, payload)
        assert payload["customer"] is None and payload["mergeId"] is None
    # Nothing was written by any of them.
    assert (await gql(client, caller, NODE, {"id": w["a"]}))["node"]["status"] == "ACTIVE"


async def test_another_tenant_can_neither_merge_nor_undo(
    client: httpx.AsyncClient, database: Database
) -> None:
    owner = await committed_tenant(database, Role.EDITOR)
    w = await world(database, owner)
    stranger = await committed_tenant(database, Role.ADMIN)
    own = await world(database, stranger)
    payload = await _merge(client, stranger, own["s"], [w["a"]])
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["mergedIds", "0"],
                                                                         "NOT_FOUND")]  # fmt: skip
    payload = await _merge(client, stranger, w["s"], [own["a"]])
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["survivorId"],
                                                                         "NOT_FOUND")]  # fmt: skip
    done = await _merge(client, owner, w["s"], [w["a"]])
    refused = (await gql(client, stranger, UNDO, {"id": done["mergeId"]}))["customersMergeUndo"]
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]
    assert (await gql(client, stranger, NODE, {"id": w["a"]}))["node"] is None


async def test_concurrent_merges_of_one_customer_let_one_win(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    first, second = await asyncio.gather(_merge(client, caller, w["s"], [w["a"]]),
                                         _merge(client, caller, w["b"], [w["a"]]))  # fmt: skip
    outcomes = sorted([first, second], key=lambda p: bool(p["userErrors"]))
    assert outcomes[0]["userErrors"] == [] and outcomes[0]["mergeId"]
    assert [e["code"] for e in outcomes[1]["userErrors"]] == ["INVALID_STATE"]
    # The winner's survivor is at version 2 now: a caller who saw version 1 gets a conflict.
    winner = outcomes[0]["customer"]["id"]
    other = w["b"] if winner == w["s"] else w["s"]
    stale = await _merge(client, caller, winner, [other], v=1)
    assert [(e["field"], e["code"]) for e in stale["userErrors"]] == [(["expectedVersion"],
                                                                       "VERSION_CONFLICT")]  # fmt: skip
    fresh = await _merge(client, caller, winner, [other], v=2, mv=[1])
    assert fresh["userErrors"] == [] and fresh["customer"]["version"] == 3


async def test_an_idempotency_key_merges_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    body = {"query": MERGE, "variables": {"s": w["s"], "m": [w["a"]]}}
    headers = {**caller.headers, "Idempotency-Key": str(uuid.uuid4())}
    first = (await client.post("/graphql", json=body, headers=headers)).json()
    again = await client.post("/graphql", json=body, headers=headers)
    assert first["data"]["customersMerge"]["userErrors"] == []
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first
    # Without the key the same request meets a customer merged already.
    plain = (await gql(client, caller, MERGE, body["variables"]))["customersMerge"]
    assert [e["code"] for e in plain["userErrors"]] == ["INVALID_STATE"]


async def test_merged_customers_are_not_live_matches(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    search = """query { customerSearch(query: "Aurora") { customer { id } } }"""
    before = {h["customer"]["id"] for h in (await gql(client, caller, search))["customerSearch"]}
    assert {w["s"], w["a"], w["b"]} <= before
    assert (await _merge(client, caller, w["s"], [w["a"], w["b"]]))["userErrors"] == []
    after = {h["customer"]["id"] for h in (await gql(client, caller, search))["customerSearch"]}
    assert after == {w["s"]}
    probe = """query { customerDuplicates(probe: {legalName: "Padaria Aurora"}) {
      customer { id } } }"""
    found = {m["customer"]["id"] for m in (await gql(client, caller, probe))["customerDuplicates"]}
    assert w["a"] not in found and w["b"] not in found


RESOLVE = """mutation($id: ID!) { duplicateCandidateResolve(id: $id, resolution: MERGE) {
  mergeId duplicateCandidate { status } userErrors { field code message } } }"""


async def test_resolving_a_pair_by_merge_keeps_the_older_customer(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    a, b = sorted((uuid.UUID(w["s_raw"]), uuid.UUID(w["a_raw"])))
    async with database.session(caller.tenant_id) as db:
        pair = DuplicateCandidate(id=uuid.uuid4(), tenant_id=caller.tenant_id, customer_a_id=a,
                                  customer_b_id=b, version_a=1, version_b=1, score=0.95,
                                  band="LIKELY", reasons=[])  # fmt: skip
        db.add(pair)
        # One transaction made them all at once: A is the newer one.
        await db.execute(text("UPDATE customer SET created_at = created_at + interval '1 day' "
                              "WHERE id = :id"), {"id": w["a_raw"]})  # fmt: skip
        await db.commit()
    pair_id = to_global_id("DuplicateCandidate", pair.id)
    resolved = (await gql(client, caller, RESOLVE, {"id": pair_id}))["duplicateCandidateResolve"]
    assert resolved["userErrors"] == [] and resolved["duplicateCandidate"]["status"] == "MERGED"
    # S was inserted first: it survives.
    merged = (await gql(client, caller, NODE, {"id": w["a"]}))["node"]
    assert merged["mergedInto"] == {"id": w["s"]}
    twice = (await gql(client, caller, RESOLVE, {"id": pair_id}))["duplicateCandidateResolve"]
    assert [(e["field"], e["code"]) for e in twice["userErrors"]] == [(["id"], "INVALID_STATE")]
    undone = (await gql(client, caller, UNDO, {"id": resolved["mergeId"]}))["customersMergeUndo"]
    assert undone["userErrors"] == []
    listed = await gql(client, caller, """{ duplicateCandidates(filter: {status: OPEN}) {
      nodes { id } } }""")  # fmt: skip
    assert listed["duplicateCandidates"]["nodes"] == [{"id": pair_id}]


HISTORY = """query($id: ID!) { node(id: $id) { ... on Customer {
  history(first: 50) { totalCount nodes { action entityId } } } } }"""


async def test_the_merged_customers_history_moves_with_them(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    update = """mutation($id: ID!) { customerUpdate(id: $id, input: {website: "a.example"})
      { userErrors { code } } }"""
    assert (await gql(client, caller, update, {"id": w["a"]}))["customerUpdate"]["userErrors"] == []
    done = await _merge(client, caller, w["s"], [w["a"]])

    async def history(customer: str) -> list[tuple[str, str]]:
        found = (await gql(client, caller, HISTORY, {"id": customer}))["node"]["history"]
        assert found["totalCount"] == len(found["nodes"])
        return [(n["action"], n["entityId"]) for n in found["nodes"]]

    # Newest first: the survivor's merge event and A's, then A's earlier update.
    assert sorted((await history(w["s"]))[:2]) == sorted([("Customer.merge", w["a"]),
                                                          ("Customer.merge", w["s"])])  # fmt: skip
    assert (await history(w["s"]))[2:] == [("Customer.update", w["a"])]
    assert await history(w["a"]) == [("Customer.merge", w["a"]), ("Customer.update", w["a"])]
    await gql(client, caller, UNDO, {"id": done["mergeId"]})
    assert {entity for _, entity in await history(w["s"])} == {w["s"]}


async def test_an_upsert_does_not_write_to_a_merged_customer(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await committed_tenant(database, Role.EDITOR)
    w = await world(database, caller)
    assert (await _merge(client, caller, w["s"], [w["a"]]))["userErrors"] == []
    upsert = """mutation { customersUpsert(inputs: [{code: "A-1", legalName: "Renamed"}]) {
      committed results { userErrors { field code } } } }"""
    payload = (await gql(client, caller, upsert))["customersUpsert"]
    assert payload["committed"] is False
    assert payload["results"][0]["userErrors"] == [{"field": ["inputs", "0", "id"],
                                                    "code": "INVALID_STATE"}]  # fmt: skip
