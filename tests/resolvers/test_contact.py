"""Contacts over GraphQL: create, primary switch, partial update, errors, lists, history, tenancy."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from clientbase import models
from clientbase.core.db import Database
from clientbase.schema.ids import from_global_id, to_global_id
from clientbase.services.auth.principal import Role
from tests.helpers import TenantWithKey, committed_tenant, gql, inserted_customer

FIELDS = "id firstName lastName fullName email phone jobTitle isPrimary version"
CREATE = f"""mutation($input: ContactCreateInput!) {{
  contactCreate(input: $input) {{ contact {{ {FIELDS} customer {{ code }} }}
    userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: ContactUpdateInput!, $v: Int) {{
  contactUpdate(id: $id, input: $input, expectedVersion: $v) {{
    contact {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""
DELETE = "mutation($id: ID!) { contactDelete(id: $id) { deletedId userErrors { field code } } }"
LIST = """query($filter: ContactFilter, $search: String, $first: Int, $after: String, $last: Int,
                 $before: String, $orderBy: [ContactOrder!]) {
  contacts(filter: $filter, search: $search, first: $first, after: $after, last: $last,
           before: $before, orderBy: $orderBy) {
    totalCount nodes { fullName } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Contact {{ {FIELDS} }} }} }}"


async def _create(client: httpx.AsyncClient, caller: TenantWithKey, customer: str,
                  **fields: Any) -> dict[str, Any]:  # fmt: skip
    payload = await gql(client, caller, CREATE, {"input": {"customerId": customer, **fields}})
    assert payload["contactCreate"]["userErrors"] == [], payload
    return payload["contactCreate"]["contact"]  # type: ignore[no-any-return]


async def _errors(client: httpx.AsyncClient, caller: TenantWithKey, **input: Any) -> set[tuple]:
    payload = (await gql(client, caller, CREATE, {"input": input}))["contactCreate"]
    assert payload["contact"] is None
    return {(tuple(e["field"] or ()), e["code"]) for e in payload["userErrors"]}


async def test_create_derives_the_name_and_reads_back(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor, code="C-ADA")
    made = await _create(client, editor, customer, firstName=" Ada ", lastName="Lovelace",
                         email=" Ada@Example.COM ", jobTitle="Analyst")  # fmt: skip
    assert made["fullName"] == "Ada Lovelace" and made["firstName"] == "Ada"
    assert made["email"] == "ada@example.com"
    assert made["isPrimary"] is False and made["version"] == 1
    assert made["customer"] == {"code": "C-ADA"}
    named = await _create(client, editor, customer, fullName="Dr. Grace Hopper", firstName="Grace")
    assert named["fullName"] == "Dr. Grace Hopper"
    node = (await gql(client, editor, NODE, {"id": made["id"]}))["node"]
    assert node["fullName"] == "Ada Lovelace" and node["jobTitle"] == "Analyst"


async def test_create_reports_every_problem_at_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor)
    problems = await _errors(client, editor, customerId=customer, firstName=" ",
                             email="ada @example.com", jobTitle="x" * 201)  # fmt: skip
    assert problems == {
        (("input", "fullName"), "REQUIRED"),
        (("input", "email"), "INVALID"),
        (("input", "jobTitle"), "INVALID"),
    }
    for bad in ("no-at-sign", "a@b@c", "@example.com", "ada@"):
        bad_email = await _errors(client, editor, customerId=customer, fullName="A", email=bad)
        assert bad_email == {(("input", "email"), "INVALID")}, bad


async def test_customer_must_exist_in_this_tenant(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    other = await committed_tenant(database, Role.EDITOR)
    foreign = await inserted_customer(database, other)
    for customer_id in (foreign, to_global_id("Customer", uuid.uuid4()), "garbage",
                        to_global_id("Contact", uuid.uuid4())):  # fmt: skip
        problems = await _errors(client, editor, customerId=customer_id, fullName="Ada")
        assert problems == {(("input", "customerId"), "NOT_FOUND")}, customer_id


async def test_email_is_taken_whatever_its_case(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    customer = await inserted_customer(database, editor)
    await _create(client, editor, customer, fullName="Ada", email="ada@example.com")
    again = await _errors(client, editor, customerId=customer, fullName="A2",
                          email="ADA@example.com")  # fmt: skip
    assert again == {(("input", "email"), "TAKEN")}


async def test_a_new_primary_demotes_the_old_one(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    customer, other_customer = (
        await inserted_customer(database, editor),
        await inserted_customer(database, editor),
    )
    first = await _create(client, editor, customer, fullName="First", isPrimary=True)
    elsewhere = await _create(client, editor, other_customer, fullName="Else", isPrimary=True)
    second = await _create(client, editor, customer, fullName="Second", isPrimary=True)
    assert second["isPrimary"] is True
    now = (await gql(client, editor, NODE, {"id": first["id"]}))["node"]
    assert now["isPrimary"] is False and now["version"] == 2
    assert (await gql(client, editor, NODE, {"id": elsewhere["id"]}))["node"]["isPrimary"] is True
    third = await _create(client, editor, customer, fullName="Third")
    promoted = await gql(client, editor, UPDATE, {"id": third["id"], "input": {"isPrimary": True}})
    assert promoted["contactUpdate"]["contact"]["isPrimary"] is True
    listed = await gql(client, editor, LIST,
                       {"filter": {"customer": {"id": {"eq": customer}}}})  # fmt: skip
    assert [n["fullName"] for n in listed["contacts"]["nodes"]] == ["First", "Second", "Third"]
    primary = await gql(client, editor, LIST, {"filter": {"customer": {"id": {"eq": customer}},
                                                          "isPrimary": {"eq": True}}})  # fmt: skip
    assert [n["fullName"] for n in primary["contacts"]["nodes"]] == ["Third"]
    history = """query($id: ID!) { node(id: $id) { ... on Contact {
        history { edges { node { action changes } } } } } }"""
    demoted = (await gql(client, editor, history, {"id": second["id"]}))["node"]["history"]
    assert demoted["edges"][0]["node"] == {
        "action": "Contact.update", "changes": {"is_primary": {"before": True, "after": False}},
    }  # fmt: skip


async def test_partial_update(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor, await inserted_customer(database, editor), firstName="Ada",
                             lastName="Byron", phone="+44 20 7946 0958", email="ada@example.com")  # fmt: skip
    result = await gql(client, editor, UPDATE,
                       {"id": made["id"], "input": {"phone": None, "lastName": "Lovelace"}, "v": 1})  # fmt: skip
    contact = result["contactUpdate"]["contact"]
    assert contact["phone"] is None  # explicit null clears
    assert contact["email"] == "ada@example.com"  # absent stays
    assert contact["fullName"] == "Ada Lovelace"  # it was made from the names, so it follows
    assert contact["version"] == 2
    named = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"fullName": "Countess"}})
    assert named["contactUpdate"]["contact"]["fullName"] == "Countess"
    kept = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"firstName": "Augusta"}})
    assert kept["contactUpdate"]["contact"]["fullName"] == "Countess"  # chosen by hand: kept
    again = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"fullName": " "}})
    assert again["contactUpdate"]["contact"]["fullName"] == "Augusta Lovelace"
    same = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"lastName": "Lovelace"}})
    assert same["contactUpdate"]["contact"]["version"] == 5  # nothing changed, no bump
    bad = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"email": "nope"}})
    assert bad["contactUpdate"]["userErrors"] == [
        {"field": ["input", "email"], "code": "INVALID",
         "message": "`email` is not an e-mail address."},
    ]  # fmt: skip
    unnamed = await gql(client, editor, LIST, {"search": "Augusta"})
    assert unnamed["contacts"]["totalCount"] == 1


async def test_versions_missing_rows_and_delete(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor, await inserted_customer(database, editor), fullName="Ada")
    await gql(client, editor, UPDATE, {"id": made["id"], "input": {"jobTitle": "CTO"}, "v": 1})
    stale = await gql(client, editor, UPDATE,
                      {"id": made["id"], "input": {"jobTitle": "CEO"}, "v": 1})  # fmt: skip
    assert stale["contactUpdate"]["contact"] is None
    assert stale["contactUpdate"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    assert stale["contactUpdate"]["userErrors"][0]["field"] == ["expectedVersion"]
    deleted = await gql(client, editor, DELETE, {"id": made["id"]})
    assert deleted["contactDelete"] == {"deletedId": made["id"], "userErrors": []}
    again = await gql(client, editor, DELETE, {"id": made["id"]})
    assert again["contactDelete"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    missing = await gql(client, editor, UPDATE, {"id": made["id"], "input": {"phone": "1"}})
    assert missing["contactUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_readers_cannot_write(client: httpx.AsyncClient, database: Database) -> None:
    reader = await committed_tenant(database, Role.READER)
    customer = await inserted_customer(database, reader)
    async with database.session(reader.tenant_id) as session:
        row = models.Contact(tenant_id=reader.tenant_id, customer_id=from_global_id(customer)[1],
                             full_name="Ada")  # fmt: skip
        session.add(row)
        await session.commit()
    contact = to_global_id("Contact", row.id)
    created = await gql(
        client, reader, CREATE, {"input": {"customerId": customer, "fullName": "B"}}
    )
    updated = await gql(client, reader, UPDATE, {"id": contact, "input": {"fullName": "C"}})
    deleted = await gql(client, reader, DELETE, {"id": contact})
    for payload in (created["contactCreate"], updated["contactUpdate"], deleted["contactDelete"]):
        assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await gql(client, reader, NODE, {"id": contact}))["node"]["fullName"] == "Ada"


async def _names(client: httpx.AsyncClient, caller: TenantWithKey, **variables: Any) -> list[str]:
    data = await gql(client, caller, LIST, variables)
    return [node["fullName"] for node in data["contacts"]["nodes"]]


async def test_filters_search_and_pages(client: httpx.AsyncClient, database: Database) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    acme = await inserted_customer(database, editor, code="ACME", legal_name="Acme Ávila Ltda")
    zeta = await inserted_customer(database, editor, code="ZETA", legal_name="Zeta S.A.")
    for fields in ({"fullName": "Ana Souza", "email": "ana@acme.br", "jobTitle": "Buyer"},
                   {"fullName": "Bruno Lima", "phone": "+55 11 5555-1234"},
                   {"fullName": "Carla Ávila", "jobTitle": "Engineer"}):  # fmt: skip
        await _create(client, editor, acme, **fields)
    await _create(client, editor, zeta, fullName="Davi Rocha", isPrimary=True)
    assert await _names(client, editor, filter={"fullName": {"startsWith": "b"}}) == ["Bruno Lima"]
    assert await _names(client, editor, filter={"fullName": {"contains": "avila"}}) == [
        "Carla Ávila"
    ]
    assert await _names(client, editor, filter={"email": {"isNull": False}}) == ["Ana Souza"]
    assert await _names(client, editor, filter={"isPrimary": {"eq": True}}) == ["Davi Rocha"]
    assert await _names(client, editor, filter={"customer": {"code": {"eq": "ZETA"}}}) == [
        "Davi Rocha"
    ]
    assert await _names(
        client, editor, filter={"customer": {"legalName": {"contains": "avila"}}}
    ) == ["Ana Souza", "Bruno Lima", "Carla Ávila"]
    either = {"or": [{"jobTitle": {"eq": "Buyer"}}, {"phone": {"isNull": False}}]}
    assert await _names(client, editor, filter=either) == ["Ana Souza", "Bruno Lima"]
    both = {"and": [{"customer": {"id": {"eq": acme}}}, {"not": {"jobTitle": {"isNull": True}}}]}
    assert await _names(client, editor, filter=both) == ["Ana Souza", "Carla Ávila"]
    assert await _names(client, editor, search="engineer") == ["Carla Ávila"]
    assert await _names(client, editor, search="5555") == ["Bruno Lima"]
    assert await _names(client, editor, search="ACME.BR") == ["Ana Souza"]
    ordered = await _names(client, editor, orderBy=[{"field": "FULL_NAME", "direction": "DESC"}])
    assert ordered == ["Davi Rocha", "Carla Ávila", "Bruno Lima", "Ana Souza"]

    seen, after = [], None
    while True:
        page = (await gql(client, editor, LIST, {"first": 3, "after": after}))["contacts"]
        assert page["totalCount"] == 4
        seen += [node["fullName"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["Ana Souza", "Bruno Lima", "Carla Ávila", "Davi Rocha"]
    tail = (await gql(client, editor, LIST, {"last": 2}))["contacts"]
    assert [n["fullName"] for n in tail["nodes"]] == ["Carla Ávila", "Davi Rocha"]
    assert tail["pageInfo"]["hasPreviousPage"] is True


async def test_history_shows_create_and_update(
    client: httpx.AsyncClient, database: Database
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, editor, await inserted_customer(database, editor), fullName="Old")
    await gql(client, editor, UPDATE, {"id": made["id"], "input": {"fullName": "New"}})
    query = """query($id: ID!) { node(id: $id) { ... on Contact {
        history { totalCount edges { node { action entityId changes } } } } } }"""
    history = (await gql(client, editor, query, {"id": made["id"]}))["node"]["history"]
    assert history["totalCount"] == 2
    latest, first = (edge["node"] for edge in history["edges"])
    assert latest == {"action": "Contact.update", "entityId": made["id"],
                      "changes": {"full_name": {"before": "Old", "after": "New"}}}  # fmt: skip
    assert first["action"] == "Contact.create"
    assert first["changes"]["full_name"] == {"before": None, "after": "Old"}


async def test_other_tenants_contacts_are_invisible(
    client: httpx.AsyncClient, database: Database
) -> None:
    a = await committed_tenant(database, Role.EDITOR)
    b = await committed_tenant(database, Role.EDITOR)
    made = await _create(client, a, await inserted_customer(database, a), fullName="Only A")
    assert (await gql(client, b, NODE, {"id": made["id"]}))["node"] is None
    assert (await gql(client, b, LIST, {}))["contacts"]["totalCount"] == 0
    update = await gql(client, b, UPDATE, {"id": made["id"], "input": {"fullName": "Mine"}})
    assert update["contactUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"
    deleted = await gql(client, b, DELETE, {"id": made["id"]})
    assert deleted["contactDelete"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_customers_and_histories_load_in_batches(
    client: httpx.AsyncClient, database: Database, count_statements: Any
) -> None:
    editor = await committed_tenant(database, Role.EDITOR)
    query = """{ contacts(first: 50) { nodes { fullName customer { code }
                 history { totalCount nodes { action } } } } }"""
    counts = []
    for batch in range(2):
        for index in range(1 + 4 * batch):
            customer = await inserted_customer(database, editor)
            await _create(client, editor, customer, fullName=f"P{batch}-{index}")
        count_statements.reset()
        await gql(client, editor, query)
        counts.append(count_statements.count)
    assert counts[0] == counts[1], counts  # 1 contact, then 6: the same statements
