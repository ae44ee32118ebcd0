"""Create, update and delete customers; a create may nest contacts, sites and contracts.

Callers own the transaction: a nested create that fails on its last child raises,
and the caller rolls back everything, so nothing is half-written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.company_type import CompanyType
from clientbase.models.contract import Contract
from clientbase.models.customer import Customer, CustomerKind, CustomerStatus
from clientbase.models.customer_category import CustomerCategory
from clientbase.models.inventory_item import InventoryItem
from clientbase.services import canonical, records, validation
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Principal
from clientbase.services.dedupe import service as dedupe
from clientbase.services.dedupe.service import DuplicateCheck
from clientbase.services.errors import DomainError, ErrorCode, problem

ENTITY = "Customer"
# Which nested children a create may carry, and the service that writes each.
CHILDREN = ("contacts", "sites", "contracts")


def check(data: Mapping[str, Any], creating: bool) -> None:
    """Shape rules, all reported at once with the input's own field names."""

    def present(key: str) -> bool:
        return creating or key in data

    kind = data.get("kind")
    checks = [
        validation.text(data.get("code"), "code", required=present("code"), max_length=64),
        validation.text(data.get("legal_name"), "legalName", required=present("legal_name"),
                        max_length=300),
        validation.text(data.get("trade_name"), "tradeName", max_length=300),
        validation.text(data.get("tax_id"), "taxId", max_length=32),
        validation.country(data.get("tax_id_country"), "taxIdCountry"),
        validation.country(data.get("address_country"), "address.country"),
        validation.text(data.get("email"), "email", max_length=320),
        validation.text(data.get("phone"), "phone", max_length=32),
        validation.text(data.get("website"), "website", max_length=500),
        validation.text(data.get("external_ref"), "externalRef", max_length=200),
        validation.one_of(kind, "kind", [k.value for k in CustomerKind]),
        validation.one_of(data.get("status"), "status",
                          [CustomerStatus.ACTIVE.value, CustomerStatus.INACTIVE.value]),
    ]  # fmt: skip
    email = data.get("email")
    if email and ("@" not in email or " " in email):
        checks.append(problem("email", ErrorCode.INVALID, "`email` is not an e-mail address."))
    if data.get("birth_date") is not None and kind not in (None, CustomerKind.PERSON.value):
        checks.append(problem("birthDate", ErrorCode.INVALID, "Only a PERSON has a birth date."))
    records.collect(*checks)


def normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {key: validation.clean(value) for key, value in data.items()}
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].lower()
    return cleaned


async def _check_references(session: AsyncSession, data: Mapping[str, Any]) -> None:
    if data.get("category_id") is not None:
        await records.get(session, CustomerCategory, data["category_id"], "CustomerCategory",
                          "categoryId")  # fmt: skip
    if data.get("company_type_id") is not None:
        await records.get(session, CompanyType, data["company_type_id"], "CompanyType",
                          "companyTypeId")  # fmt: skip


async def prepare(
    session: AsyncSession, actor: Principal, data: Mapping[str, Any], current: Customer | None
) -> dict[str, Any]:
    """`data` (already cleaned) checked and in stored form, with its match keys; raises every
    problem at once. `current` is the row an update changes, None on create."""
    shape = None
    try:
        check(data if current is None else {"kind": current.kind, **data}, current is None)
    except DomainError as error:
        shape = error
    country = await auth.default_country(session, actor.tenant_id) if data.get("phone") else None
    values, problems = canonical.customer(data, country, current)
    records.collect(canonical.merge(shape, problems))
    return values


async def create(
    session: AsyncSession,
    actor: Principal,
    data: Mapping[str, Any],
    children: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    duplicates: DuplicateCheck | None = None,
) -> Customer:
    """`duplicates`, when given, applies the tenant's duplicate rule to the new customer."""
    data = normalise(data)
    data.setdefault("kind", CustomerKind.COMPANY.value)
    data = await prepare(session, actor, data, None)
    await _check_references(session, data)
    customer = Customer(id=uuid.uuid4(), tenant_id=actor.tenant_id, **data)
    await records.create(session, actor, customer, ENTITY)
    await _create_children(session, actor, customer, children or {})
    if duplicates is not None:
        await records.flush(session)
        await dedupe.check_write(session, actor.tenant_id, customer, duplicates)
    return customer


async def _create_children(
    session: AsyncSession,
    actor: Principal,
    customer: Customer,
    children: Mapping[str, Sequence[Mapping[str, Any]]],
) -> None:
    if not any(children.values()):
        return
    from clientbase.services.contact import service as contacts
    from clientbase.services.contract import service as contracts
    from clientbase.services.site import service as sites

    writers = {"contacts": contacts, "sites": sites, "contracts": contracts}
    country = await auth.default_country(session, actor.tenant_id)
    checks: dict[str, Callable[..., None]] = {
        "contacts": partial(contacts.check, country=country),
        "sites": sites.check,
        "contracts": contracts.check,
    }
    # Check every child first, so one answer lists every mistake in the input.
    problems = []
    for name in CHILDREN:
        for index, child in enumerate(children.get(name, ())):
            try:
                checks[name](child, creating=True)
            except DomainError as error:
                problems += error.under(name, str(index)).problems
    primaries = [i for i, c in enumerate(children.get("contacts", ())) if c.get("is_primary")]
    for index in primaries[1:]:
        problems += problem(("contacts", str(index), "isPrimary"), ErrorCode.INVALID,
                            "Only one contact can be the primary one.").problems  # fmt: skip
    if problems:
        raise DomainError(problems)
    for name in CHILDREN:
        for index, child in enumerate(children.get(name, ())):
            await writers[name].create(session, actor, customer.id, child, name, str(index))


async def update(
    session: AsyncSession,
    actor: Principal,
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    duplicates: DuplicateCheck | None = None,
) -> Customer:
    """`duplicates`, when given, applies the tenant's duplicate rule if an identity field
    changes."""
    changes = normalise(changes)
    customer = await records.load_for_update(session, Customer, row_id, ENTITY, expected_version)
    if customer.status == CustomerStatus.MERGED.value:
        raise problem("id", ErrorCode.INVALID_STATE, "A merged customer cannot be changed.")
    changes = await prepare(session, actor, changes, customer)
    await _check_references(session, changes)
    await records.update(session, actor, customer, changes, ENTITY)
    if duplicates is not None and dedupe.IDENTITY & changes.keys():
        await dedupe.check_write(session, actor.tenant_id, customer, duplicates)
    return customer


async def delete(session: AsyncSession, actor: Principal, row_id: uuid.UUID) -> None:
    customer = await records.get(session, Customer, row_id, ENTITY)
    dependents = await session.scalar(
        select(
            exists().where(Contract.customer_id == row_id)
            | exists().where(InventoryItem.customer_id == row_id)
        )
    )
    if dependents:
        raise problem(
            "id",
            ErrorCode.HAS_DEPENDENTS,
            "The customer still has contracts or inventory; set its status to INACTIVE instead.",
        )
    await records.delete(session, actor, customer, ENTITY)


async def find_for_upsert(
    session: AsyncSession, external_ref: str | None, code: str | None
) -> Customer | None:
    """The customer an upsert item means: by externalRef when given, else by code."""
    if external_ref:
        return await session.scalar(select(Customer).where(Customer.external_ref == external_ref))
    if code:
        return await session.scalar(select(Customer).where(Customer.code == code))
    return None
