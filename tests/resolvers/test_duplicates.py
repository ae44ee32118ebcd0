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
