"""Normalisation on write: customer and contact mutations store phones, e-mails and tax ids in
canonical form with their match keys, and report what cannot be normalised on its field."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from clientbase import models
from clientbase.core.db import Database
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql

CREATE = """mutation($input: CustomerCreateInput!) { customerCreate(input: $input) {
  customer { id code phone email taxId contacts { nodes { fullName email phone } } }
  userErrors { field code message } } }"""
UPDATE = """mutation($id: ID!, $input: CustomerUpdateInput!) { customerUpdate(id: $id, input: $input) {
  customer { phone email taxId taxIdCountry } userErrors { field code message } } }"""
UPSERT = """mutation($inputs: [CustomerUpsertInput!]!) { customersUpsert(inputs: $inputs) {
  committed results { index customer { taxId } userErrors { field code message } } } }"""
CONTACT_CREATE = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id phone email } userErrors { field code message } } }"""
CONTACT_UPDATE = """mutation($id: ID!, $input: ContactUpdateInput!) { contactUpdate(id: $id, input: $input) {
  contact { phone email fullName } userErrors { field code message } } }"""


async def tenant_in(database: Database, country: str | None) -> TenantWithKey:
    """An editor's tenant whose phone numbers default to `country`."""
    caller = await committed_tenant(database, Role.EDITOR)
    async with database.session(caller.tenant_id) as session:
        tenant = await auth.get_tenant(session, caller.tenant_id)
        assert tenant is not None
        await auth.set_default_country(session, tenant, country)
        await session.commit()
    return caller


async def create(client: httpx.AsyncClient, caller: TenantWithKey, **fields: Any) -> dict:
    data = {"code": f"N-{uuid.uuid4().hex[:6]}", "legalName": "Padaria São João Ltda", **fields}
    return (await gql(client, caller, CREATE, {"input": data}))["customerCreate"]  # type: ignore[no-any-return]


async def stored(database: Database, caller: TenantWithKey, code: str) -> models.Customer:
    async with database.session(caller.tenant_id) as session:
        row = await session.scalar(select(models.Customer).where(models.Customer.code == code))
        assert row is not None
        session.expunge(row)  # keep its loaded values past the session's closing rollback
    return row


# The same mobile number written five ways, and a sixth with the international "00".
PHONES_BR = ["(11) 98765-4321", "11 98765 4321", "+55 11 98765-4321", "011 98765-4321",
             "+55 (11) 9 8765.4321", "0055 11 987654321"]  # fmt: skip


@pytest.mark.parametrize("phone", PHONES_BR)
async def test_phones_are_stored_as_e164_with_their_digits(
    client: httpx.AsyncClient, database: Database, phone: str
) -> None:
    caller = await tenant_in(database, "BR")
    payload = await create(client, caller, phone=phone)
    assert payload["userErrors"] == []
    assert payload["customer"]["phone"] == "+5511987654321"
    row = await stored(database, caller, payload["customer"]["code"])
    assert row.phone_digits == "5511987654321"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"email": " Compras@Padaria.COM.br "}, {"email": "compras@padaria.com.br"}),
        ({"taxId": "11.222.333/0001-81", "taxIdCountry": "BR"}, {"taxId": "11222333000181"}),
        ({"taxId": "123.456.789-09", "taxIdCountry": "BR", "kind": "PERSON"},
         {"taxId": "12345678909"}),
        ({"taxId": "PT 501 964 843", "taxIdCountry": "PT"}, {"taxId": "501964843"}),
        ({"taxId": "b-1234567-4", "taxIdCountry": "ES"}, {"taxId": "B12345674"}),
        ({"taxId": "ab 12/34", "taxIdCountry": "ZZ"}, {"taxId": "AB1234"}),  # compacted only
        ({"phone": "+44 20 7946 0958"}, {"phone": "+442079460958"}),  # has its country code
    ],
)  # fmt: skip
async def test_emails_and_tax_ids_are_normalised(
    client: httpx.AsyncClient, database: Database, fields: dict, expected: dict
) -> None:
    caller = await tenant_in(database, "BR")
    payload = await create(client, caller, **fields)
    assert payload["userErrors"] == []
    assert {key: payload["customer"][key] for key in expected} == expected


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "`phone` is too short for a number in +55 (BR)."),
        ({"phone": "+999 1234 5678"}, "phone",
         "`phone` starts with a country code that is not in use."),
        ({"email": "compras@padaria"}, "email",
         "`email`: The part after the @-sign is not valid. It should have a period."),
        ({"taxId": "11.222.333/0001-82", "taxIdCountry": "BR"}, "taxId",
         "`taxId` is not a valid CNPJ: the check digit is wrong."),
        ({"taxId": "1234", "taxIdCountry": "PT"}, "taxId",
         "`taxId` has 4 characters, which fits no tax ID of PT: expected NIF (9)."),
    ],
)  # fmt: skip
async def test_what_cannot_be_normalised_is_invalid_on_its_field(
    client: httpx.AsyncClient, database: Database, fields: dict, field: str, message: str
) -> None:
    caller = await tenant_in(database, "BR")
    payload = await create(client, caller, **fields)
    assert payload["customer"] is None
    assert payload["userErrors"] == [{"field": ["input", field], "code": "INVALID",
                                      "message": message}]  # fmt: skip


async def test_without_a_default_country_a_local_number_is_invalid(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, None)
    payload = await create(client, caller, phone="(11) 98765-4321")
    assert payload["userErrors"][0]["field"] == ["input", "phone"]
    assert "no default country" in payload["userErrors"][0]["message"]
    assert (await create(client, caller, phone="+55 11 98765-4321"))["userErrors"] == []


async def test_every_problem_at_once_and_one_per_field(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, "BR")
    payload = await create(client, caller, code=" ", email="no at sign", phone="1",
                           taxId="00000000000000", taxIdCountry="BR")  # fmt: skip
    problems = {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]}
    assert problems == {(("input", "code"), "REQUIRED"), (("input", "email"), "INVALID"),
                        (("input", "phone"), "INVALID"), (("input", "taxId"), "INVALID")}  # fmt: skip
    # The shape check speaks for the e-mail; the normaliser is not asked about it again.
    assert len(payload["userErrors"]) == 4


async def test_nested_contacts_are_normalised_and_reported_under_their_index(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, "BR")
    contacts = [{"fullName": "Ana", "email": "ANA@Padaria.com.br", "phone": "(21) 2555-0123"},
                {"fullName": "Bia", "email": "bia@padaria"}, {"fullName": "Caio", "phone": "9"}]  # fmt: skip
    payload = await create(client, caller, contacts=contacts)
    assert payload["userErrors"] == [
        {"field": ["input", "contacts", "1", "email"], "code": "INVALID",
         "message": "`email`: The part after the @-sign is not valid. It should have a period."},
        {"field": ["input", "contacts", "2", "phone"], "code": "INVALID",
         "message": "`phone` does not look like a phone number."},
    ]  # fmt: skip
    good = await create(client, caller, contacts=contacts[:1])
    assert good["customer"]["contacts"]["nodes"] == [
        {"fullName": "Ana", "email": "ana@padaria.com.br", "phone": "+552125550123"}
    ]


async def test_update_normalises_and_rechecks_the_tax_id_for_a_new_country(
    client: httpx.AsyncClient, database: Database
) -> None:
    caller = await tenant_in(database, "BR")
    made = (await create(client, caller, taxId="501964843", taxIdCountry="PT"))["customer"]
    updated = await gql(client, caller, UPDATE,
                        {"id": made["id"], "input": {"phone": "11 3333-4444", "email": "X@Y.COM"}})  # fmt: skip
    assert updated["customerUpdate"]["customer"] == {
        "phone": "+551133334444", "email": "x@y.com", "taxId": "501964843", "taxIdCountry": "PT"
    }  # fmt: skip
    moved = await gql(client, caller, UPDATE, {"id": made["id"], "input": {"taxIdCountry": "BR"}})
    assert moved["customerUpdate"]["userErrors"][0]["field"] == ["input", "taxId"]
    row = await stored(database, caller, made["code"])
    assert (row.tax_id_key, row.phone_digits, row.tax_id_country) == ("501964843", "551133334444",
                                                                      "PT")  # fmt: skip
    cleared = await gql(client, caller, UPDATE, {"id": made["id"], "input": {"taxId": None,
                                                                             "phone": None}})  # fmt: skip
    assert cleared["customerUpdate"]["userErrors"] == []
    row = await stored(database, caller, made["code"])
    assert (row.tax_id, row.tax_id_key, row.phone, row.phone_digits) == (None, None, None, None)


async def test_name_keys_follow_the_names(client: httpx.AsyncClient, database: Database) -> None:
    caller = await tenant_in(database, "BR")
    made = (await create(client, caller, tradeName="Padaria S. João"))["customer"]
    row = await stored(database, caller, made["code"])
    assert (row.name_key, row.trade_name_key) == ("padaria sao joao", "padaria s joao")
    await gql(client, caller, UPDATE,
              {"id": made["id"], "input": {"legalName": "Açougue D'Ávila S/A", "tradeName": None}})  # fmt: skip
    row = await stored(database, caller, made["code"])
    assert (row.name_key, row.trade_name_key) == ("acougue davila", None)


async def test_upsert_reports_under_the_item(client: httpx.AsyncClient, database: Database) -> None:
    caller = await tenant_in(database, "BR")
    items = [{"code": f"U{i}", "legalName": f"Item {i}", "taxId": "11.222.333/0001-81",
              "taxIdCountry": "BR"} for i in range(4)]  # fmt: skip
    items[3]["taxId"] = "11.222.333/0001-80"
    payload = (await gql(client, caller, UPSERT, {"inputs": items}))["customersUpsert"]
    assert payload["committed"] is False
    assert payload["results"][3]["userErrors"] == [{
        "field": ["inputs", "3", "taxId"], "code": "INVALID",
        "message": "`taxId` is not a valid CNPJ: the check digit is wrong.",
    }]  # fmt: skip
    items[3]["taxId"] = "11222333000181"
    assert (await gql(client, caller, UPSERT, {"inputs": items}))["customersUpsert"]["committed"]
    items[0]["taxId"] = "11.222.333/0001-80"  # an update of an existing customer
    again = (await gql(client, caller, UPSERT, {"inputs": items}))["customersUpsert"]
    assert again["results"][0]["userErrors"][0]["field"] == ["inputs", "0", "taxId"]


async def test_contact_mutations_normalise(client: httpx.AsyncClient, database: Database) -> None:
    caller = await tenant_in(database, "PT")
    customer = (await create(client, caller))["customer"]["id"]
    made = await gql(client, caller, CONTACT_CREATE, {"input": {
        "customerId": customer, "fullName": "João Araújo", "phone": "912 345 678",
        "email": "Joao@Exemplo.PT"}})  # fmt: skip
    contact = made["contactCreate"]["contact"]
    assert (contact["phone"], contact["email"]) == ("+351912345678", "joao@exemplo.pt")
    bad = await gql(client, caller, CONTACT_UPDATE, {"id": contact["id"], "input": {"phone": "12"}})
    assert bad["contactUpdate"]["userErrors"][0]["field"] == ["input", "phone"]
    renamed = await gql(client, caller, CONTACT_UPDATE,
                        {"id": contact["id"], "input": {"fullName": "Joana Araújo-Lima"}})  # fmt: skip
    assert renamed["contactUpdate"]["userErrors"] == []
    async with database.session(caller.tenant_id) as session:
        row = await session.get(models.Contact, contact_row_id(contact["id"]))
        assert row is not None
        session.expunge(row)
    assert (row.name_key, row.phone_digits) == ("joana araujo lima", "351912345678")


def contact_row_id(global_id: str) -> Any:
    from clientbase.schema.ids import from_global_id

    return from_global_id(global_id)[1]
