"""customerDuplicates and the duplicate rule on customerCreate and customerUpdate."""

from __future__ import annotations

from typing import Any

import httpx

from clientbase.core.db import Database
from clientbase.services.auth import service as auth
from clientbase.services.dedupe.settings import (
    DuplicateRule,
    DuplicateSettings,
    set_duplicate_settings,
)
from tests.helpers import TenantWithKey, gql
from tests.resolvers.test_normalisation import tenant_in

DUPLICATES = """query($probe: CustomerProbe!) { customerDuplicates(probe: $probe) {
  customer { code } score band reasons { field method score weight } } }"""
CREATE = """mutation($input: CustomerCreateInput!, $confirm: Boolean! = false) {
  customerCreate(input: $input, confirmDuplicate: $confirm) {
    customer { id code } userErrors { field code message } warnings { code message }
    duplicates { customer { code } band } } }"""
UPDATE = """mutation($id: ID!, $input: CustomerUpdateInput!, $confirm: Boolean! = false) {
  customerUpdate(id: $id, input: $input, confirmDuplicate: $confirm) {
    customer { code } userErrors { field code message } warnings { code } } }"""

PADARIA = {"code": "C-1", "legalName": "Padaria São João Ltda", "taxId": "11.222.333/0001-81",
           "taxIdCountry": "BR", "phone": "(11) 98765-4321",
           "address": {"line1": "Rua Augusta", "number": "1500", "postalCode": "01310-100",
                       "city": "São Paulo"}}  # fmt: skip


async def _create(client: httpx.AsyncClient, caller: TenantWithKey, data: dict[str, Any],
                  confirm: bool = False) -> dict[str, Any]:  # fmt: skip
    variables = {"input": data, "confirm": confirm}
    return (await gql(client, caller, CREATE, variables))["customerCreate"]  # type: ignore[no-any-return]


async def _rules(database: Database, caller: TenantWithKey, **rules: DuplicateRule) -> None:
    async with database.session(caller.tenant_id) as session:
        tenant = await auth.get_tenant(session, caller.tenant_id)
        assert tenant is not None
        await set_duplicate_settings(session, tenant, DuplicateSettings(**rules))  # type: ignore[arg-type]
        await session.commit()


async def test_probe_finds_the_same_company_written_differently(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, "BR")
    assert (await _create(client, caller, PADARIA))["userErrors"] == []
    other = {"code": "C-2", "legalName": "Oficina Mecânica Boa Vista", "phone": "11 3333-4444"}
    assert (await _create(client, caller, other))["userErrors"] == []
    probe = {"legalName": "PADARIA SAO JOAO", "phone": "+55 11 98765 4321"}
    found = (await gql(client, caller, DUPLICATES, {"probe": probe}))["customerDuplicates"]
    assert [m["customer"]["code"] for m in found] == ["C-1"]
    assert found[0]["band"] == "LIKELY"
    reasons = {(r["field"], r["method"]) for r in found[0]["reasons"]}
    assert {("legalName", "exact"), ("phone", "digits")} <= reasons
    # Nothing alike: nothing found.
    probe = {"legalName": "Ferragens Central", "phone": "21 2555-0000"}
    assert (await gql(client, caller, DUPLICATES, {"probe": probe}))["customerDuplicates"] == []


async def test_probe_of_an_edit_leaves_the_edited_customer_out(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, "BR")
    made = await _create(client, caller, PADARIA)
    probe = {"legalName": "Padaria São João", "phone": "11 98765-4321"}
    found = (await gql(client, caller, DUPLICATES, {"probe": probe}))["customerDuplicates"]
    assert [m["customer"]["code"] for m in found] == ["C-1"]
    editing = {**probe, "excludeId": made["customer"]["id"]}
    assert (await gql(client, caller, DUPLICATES, {"probe": editing}))["customerDuplicates"] == []


async def test_probe_sees_only_its_tenant(client: httpx.AsyncClient, database: Database) -> None:
    owner, stranger = await tenant_in(database, "BR"), await tenant_in(database, "BR")
    assert (await _create(client, owner, PADARIA))["userErrors"] == []
    probe = {"legalName": "Padaria São João", "taxId": "11222333000181", "taxIdCountry": "BR"}
    assert (await gql(client, stranger, DUPLICATES, {"probe": probe}))["customerDuplicates"] == []
    found = (await gql(client, owner, DUPLICATES, {"probe": probe}))["customerDuplicates"]
    assert [m["customer"]["code"] for m in found] == ["C-1"]


async def test_warn_saves_and_warns(client: httpx.AsyncClient, database: Database) -> None:
    caller = await tenant_in(database, "BR")
    assert (await _create(client, caller, PADARIA))["warnings"] == []
    again = {"code": "C-9", "legalName": "PADARIA SAO JOAO", "phone": "011 98765 4321"}
    made = await _create(client, caller, again)
    assert made["userErrors"] == [] and made["customer"]["code"] == "C-9"
    assert [w["code"] for w in made["warnings"]] == ["DUPLICATE"]
    assert "C-1" in made["warnings"][0]["message"]
    assert made["duplicates"] == [{"customer": {"code": "C-1"}, "band": "LIKELY"}]


async def test_block_refuses_unless_confirmed(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, "BR")
    await _rules(database, caller, on_likely=DuplicateRule.BLOCK)
    assert (await _create(client, caller, PADARIA))["userErrors"] == []
    again = {"code": "C-9", "legalName": "Padaria S. João", "taxId": "11.222.333/0001-81",
             "taxIdCountry": "BR"}  # fmt: skip
    refused = await _create(client, caller, again)
    assert refused["customer"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["confirmDuplicate"], "DUPLICATE")
    ]
    confirmed = await _create(client, caller, again, confirm=True)
    assert confirmed["userErrors"] == [] and confirmed["customer"]["code"] == "C-9"
    assert [w["code"] for w in confirmed["warnings"]] == ["DUPLICATE"]


async def test_update_is_checked_only_when_identity_changes(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, "BR")
    await _rules(database, caller, on_likely=DuplicateRule.BLOCK)
    assert (await _create(client, caller, PADARIA))["userErrors"] == []
    other = await _create(client, caller, {"code": "C-2", "legalName": "Oficina Boa Vista"})
    same_phone = {"legalName": "Padaria São João", "phone": "11987654321"}
    variables = {"id": other["customer"]["id"], "input": same_phone}
    refused = (await gql(client, caller, UPDATE, variables))["customerUpdate"]
    assert [e["code"] for e in refused["userErrors"]] == ["DUPLICATE"]
    unrelated = {"id": other["customer"]["id"], "input": {"website": "https://oficina.example"}}
    assert (await gql(client, caller, UPDATE, unrelated))["customerUpdate"]["userErrors"] == []
    variables["confirm"] = True
    accepted = (await gql(client, caller, UPDATE, variables))["customerUpdate"]
    assert accepted["userErrors"] == [] and accepted["warnings"] == [{"code": "DUPLICATE"}]


UPSERT = """mutation($inputs: [CustomerUpsertInput!]!, $policy: ErrorPolicy! = SKIP_FAILED) {
  customersUpsert(inputs: $inputs, errorPolicy: $policy) { committed
    results { index action customer { code } userErrors { field code } warnings { code }
              duplicates { customer { code } band } } } }"""


async def test_upsert_items_follow_the_duplicate_rule(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, "BR")
    await _rules(database, caller, on_likely=DuplicateRule.BLOCK, on_review=DuplicateRule.WARN)
    assert (await _create(client, caller, PADARIA))["userErrors"] == []
    twin = {"code": "C-7", "legalName": "Padaria S. João", "taxId": "11.222.333/0001-81",
            "taxIdCountry": "BR"}  # fmt: skip
    stranger = {"code": "C-8", "legalName": "Oficina Boa Vista"}
    inputs = [twin, stranger, {**twin, "code": "C-9", "confirmDuplicate": True}]
    done = (await gql(client, caller, UPSERT, {"inputs": inputs}))["customersUpsert"]
    blocked, fine, confirmed = done["results"]
    assert done["committed"] is True
    assert (blocked["customer"], blocked["userErrors"]) == (
        None, [{"field": ["inputs", "0", "confirmDuplicate"], "code": "DUPLICATE"}])  # fmt: skip
    assert (fine["action"], fine["warnings"], fine["duplicates"]) == ("CREATED", [], [])
    assert (confirmed["action"], confirmed["warnings"]) == ("CREATED", [{"code": "DUPLICATE"}])
    assert {"customer": {"code": "C-1"}, "band": "LIKELY"} in confirmed["duplicates"]
    # An update that makes an existing customer a twin is held to the rule too; sending the
    # same item again (no change) is not checked again.
    again = [{**stranger, "taxId": "11.222.333/0001-81", "taxIdCountry": "BR",
              "legalName": "Padaria São João"}]  # fmt: skip
    refused = (await gql(client, caller, UPSERT, {"inputs": again}))["customersUpsert"]
    # One error per customer it would duplicate: C-1 and the confirmed C-9.
    assert [e["code"] for e in refused["results"][0]["userErrors"]] == ["DUPLICATE"] * 2
    same = [{**stranger}]
    unchanged = (await gql(client, caller, UPSERT, {"inputs": same}))["customersUpsert"]
    assert unchanged["results"][0]["action"] == "UNCHANGED"


SCAN = """mutation($input: DuplicateScanInput) { duplicateScanStart(input: $input) {
  job { id kind status } userErrors { code } } }"""
CANDIDATES = """query($filter: DuplicateCandidateFilter, $first: Int, $after: String) {
  duplicateCandidates(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id score band status clusterId customerA { code } customerB { code }
            reasons { field method } } } }"""
WITH_DUPLICATES = """{ customers(first: 10) { nodes { code duplicates {
  customer { code } band score reasons { field } } } } }"""
RESOLVE = """mutation($id: ID!) { duplicateCandidateResolve(id: $id, resolution: DISMISS) {
  duplicateCandidate { status } userErrors { field code } } }"""


async def test_scan_candidates_and_dismissal_over_graphql(
    client: httpx.AsyncClient, database: Database
) -> None:
    from tests.services.dedupe.helpers import run_started

    caller = await tenant_in(database, "BR")
    for code, name in (("C-1", "Padaria São João Ltda"), ("C-2", "PADARIA SAO JOAO"),
                       ("C-3", "Padaria São João ME"), ("C-4", "Oficina Boa Vista")):  # fmt: skip
        made = await _create(client, caller, {"code": code, "legalName": name,
                                              "phone": "11 98765-4321" if code != "C-4" else None})  # fmt: skip
        assert made["customer"], made
    started = await gql(client, caller, SCAN, {"input": {"onlyChanged": False}})
    job = started["duplicateScanStart"]["job"]
    assert (job["kind"], job["status"]) == ("DUPLICATE_SCAN", "QUEUED")
    await run_started(database, caller.tenant_id, job["id"])

    page = (await gql(client, caller, CANDIDATES, {"first": 2}))["duplicateCandidates"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"]
    rest = (await gql(client, caller, CANDIDATES,
                      {"first": 2, "after": page["pageInfo"]["endCursor"]}))["duplicateCandidates"]  # fmt: skip
    nodes = page["nodes"] + rest["nodes"]
    assert len(nodes) == 3 and len({n["clusterId"] for n in nodes}) == 1
    assert [n["score"] for n in nodes] == sorted((n["score"] for n in nodes), reverse=True)
    assert all("C-4" not in (n["customerA"]["code"], n["customerB"]["code"]) for n in nodes)
    assert {"field": "phone", "method": "digits"} in nodes[0]["reasons"]

    dismissed = await gql(client, caller, RESOLVE, {"id": nodes[0]["id"]})
    assert dismissed["duplicateCandidateResolve"] == {
        "duplicateCandidate": {"status": "DISMISSED"}, "userErrors": []}  # fmt: skip
    still_open = (await gql(client, caller, CANDIDATES, {}))["duplicateCandidates"]
    assert still_open["totalCount"] == 2
    gone = {"status": "DISMISSED"}
    assert (await gql(client, caller, CANDIDATES, {"filter": gone}))["duplicateCandidates"][
        "totalCount"] == 1  # fmt: skip

    # Another tenant sees none of it and cannot dismiss it.
    stranger = await tenant_in(database, "BR")
    assert (await gql(client, stranger, CANDIDATES, {}))["duplicateCandidates"]["totalCount"] == 0
    refused = await gql(client, stranger, RESOLVE, {"id": nodes[1]["id"]})
    assert refused["duplicateCandidateResolve"]["userErrors"] == [
        {"field": ["id"], "code": "NOT_FOUND"}]  # fmt: skip
