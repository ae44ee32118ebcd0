"""Customers over GraphQL: create, partial update, versions, delete rules, filters, history."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from clientbase import models
from clientbase.core.db import Database
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql

FIELDS = (
    "id code kind legalName tradeName email status version externalRef address { city country }"
)
CREATE = f"""mutation($input: CustomerCreateInput!) {{
  customerCreate(input: $input) {{ customer {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: CustomerUpdateInput!, $v: Int) {{
  customerUpdate(id: $id, input: $input, expectedVersion: $v) {{
    customer {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""
DELETE = (
    "mutation($id: ID!) { customerDelete(id: $id) { deletedId userErrors { field code message } } }"
)


async def _create(client: httpx.AsyncClient, caller: TenantWithKey, **fields: object) -> dict:
    data = {"code": f"C-{uuid.uuid4().hex[:6]}", "legalName": "Padaria São João Ltda", **fields}
    payload = (await gql(client, caller, CREATE, {"input": data}))["customerCreate"]
    assert payload["userErrors"] == [], payload
    return payload["customer"]  # type: ignore[no-any-return]


async def test_create_and_read_back(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor, code="C-1", email=" Compras@Padaria.COM.br ",
                         address={"city": "São Paulo", "country": "BR"})  # fmt: skip
    assert made["code"] == "C-1" and made["kind"] == "COMPANY" and made["status"] == "ACTIVE"
    assert made["email"] == "compras@padaria.com.br"
    assert made["address"] == {"city": "São Paulo", "country": "BR"}
    by_code = await gql(client, editor, '{ customerByCode(code: "C-1") { id } }')
    assert by_code["customerByCode"]["id"] == made["id"]


async def test_create_reports_every_shape_problem_at_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    data = {"code": " ", "legalName": "X" * 301, "taxIdCountry": "Brazil", "email": "no-at-sign"}
    payload = (await gql(client, editor, CREATE, {"input": data}))["customerCreate"]
    assert payload["customer"] is None
    problems = {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]}
    assert problems == {
        (("input", "code"), "REQUIRED"),
        (("input", "legalName"), "INVALID"),
        (("input", "taxIdCountry"), "INVALID"),
        (("input", "email"), "INVALID"),
    }


async def test_taken_code_and_external_ref(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    await _create(client, editor, code="DUP", externalRef="erp-1")
    again = await gql(client, editor, CREATE, {"input": {"code": "DUP", "legalName": "Other"}})
    assert again["customerCreate"]["userErrors"] == [
        {"field": ["input", "code"], "code": "TAKEN", "message": "Another customer has this code."}
    ]
    ref = await gql(client, editor, CREATE,
                    {"input": {"code": "NEW", "legalName": "Other", "externalRef": "erp-1"}})  # fmt: skip
    assert ref["customerCreate"]["userErrors"][0]["field"] == ["input", "externalRef"]
    other_tenant = await committed_tenant(database, Role.EDITOR)
    await _create(client, other_tenant, code="DUP")  # codes are unique per tenant only


async def test_partial_update_absent_is_not_null(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor, tradeName="Padaria SJ", email="a@b.co")
    result = await gql(client, editor, UPDATE,
                       {"id": made["id"], "input": {"tradeName": None}, "v": 1})  # fmt: skip
    customer = result["customerUpdate"]["customer"]
    assert customer["tradeName"] is None  # explicit null clears
    assert customer["email"] == "a@b.co"  # absent stays
    assert customer["version"] == 2
    unchanged = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"email": "a@b.co"}})
    assert unchanged["customerUpdate"]["customer"]["version"] == 2


async def test_stale_version_is_a_conflict_and_loses_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor)
    await gql(client, editor, UPDATE, {"id": made["id"], "input": {"tradeName": "First"}, "v": 1})
    stale = await gql(client, editor, UPDATE,
                      {"id": made["id"], "input": {"tradeName": "Second"}, "v": 1})  # fmt: skip
    assert stale["customerUpdate"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    assert stale["customerUpdate"]["customer"] is None


async def test_two_concurrent_updates_one_wins_one_conflicts(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor)
    names = ["Alpha", "Beta"]
    results = await asyncio.gather(*(
        gql(client, editor, UPDATE, {"id": made["id"], "input": {"tradeName": n}, "v": 1})
        for n in names
    ))  # fmt: skip
    payloads = [r["customerUpdate"] for r in results]
    winners = [p for p in payloads if p["customer"] is not None]
    losers = [p for p in payloads if p["customer"] is None]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    now = await gql(client, editor, "query($id: ID!) { node(id: $id) { ... on Customer { tradeName version } } }",
                    {"id": made["id"]})  # fmt: skip
    assert now["node"] == {"tradeName": winners[0]["customer"]["tradeName"], "version": 2}


async def test_delete_rules(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    plain = await _create(client, editor)
    deleted = await gql(client, editor, DELETE, {"id": plain["id"]})
    assert deleted["customerDelete"] == {"deletedId": plain["id"], "userErrors": []}
    with_contract = await _create(client, editor)
    async with database.session(editor.tenant_id) as session:
        customer = await session.scalar(
            models.Customer.__table__.select().where(models.Customer.code == with_contract["code"])
        )
        session.add(models.Contract(tenant_id=editor.tenant_id, customer_id=customer,
                                    number=f"K-{uuid.uuid4().hex[:6]}"))  # fmt: skip
        await session.commit()
    refused = await gql(client, editor, DELETE, {"id": with_contract["id"]})
    assert refused["customerDelete"]["deletedId"] is None
    assert refused["customerDelete"]["userErrors"][0]["code"] == "HAS_DEPENDENTS"
    missing = await gql(client, editor, DELETE, {"id": plain["id"]})
    assert missing["customerDelete"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_readers_cannot_write(client: httpx.AsyncClient, database: Database) -> None:
    reader = await committed_tenant(database, Role.READER)
    payload = await gql(client, reader, CREATE, {"input": {"code": "R", "legalName": "R"}})
    assert payload["customerCreate"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await gql(client, reader, "{ customers { totalCount } }"))["customers"][
        "totalCount"
    ] == 0


async def test_history_records_who_and_what(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor, tradeName="Old")
    await gql(client, editor, UPDATE, {"id": made["id"], "input": {"tradeName": "New"}})
    query = """query($id: ID!) { node(id: $id) { ... on Customer {
        history { totalCount edges { node { action actorKind actorLabel changes } } } } } }"""
    history = (await gql(client, editor, query, {"id": made["id"]}))["node"]["history"]
    assert history["totalCount"] == 2
    latest, first = (edge["node"] for edge in history["edges"])
    assert latest["action"] == "Customer.update" and first["action"] == "Customer.create"
    assert latest["changes"] == {"trade_name": {"before": "Old", "after": "New"}}
    assert latest["actorKind"] == "API_KEY" and "test key" in latest["actorLabel"]
