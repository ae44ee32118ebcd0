"""A tenant with a survivor and two customers to merge into it, every relation kind on each,
and full row dumps to compare states."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models import DuplicateCandidate
from clientbase.services.auth.principal import Principal, Role
from tests.models.factories import (
    make_contact,
    make_contract,
    make_customer,
    make_item,
    make_product_type,
    make_site,
    make_tenant,
)

TABLES = ("customer", "contact", "site", "contract", "inventory_item", "duplicate_candidate")


def actor(tenant_id: uuid.UUID) -> Principal:
    return Principal(tenant_id, Role.EDITOR, "SYSTEM", "tests", "merge tests")


@dataclass
class Scene:
    tenant: uuid.UUID
    survivor: uuid.UUID
    first: uuid.UUID
    second: uuid.UUID
    outsider: uuid.UUID
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def actor(self) -> Principal:
        return actor(self.tenant)


async def scene(db: AsyncSession) -> Scene:
    """Survivor S (primary contact, site "Loja Centro", a contract, an item); first merged
    A (primary contact, sites "loja centro" and "Depósito", a contract, items at both);
    second merged B (a plain contact, a contract, an item); open pairs S-A and B-outsider."""
    tenant = await make_tenant(db)
    s = await make_customer(db, tenant, legal_name="Padaria Central Ltda", phone="+5511")
    a = await make_customer(db, tenant, legal_name="Padaria Central", phone="+5522",
                            email="a@example.com", status="INACTIVE")  # fmt: skip
    b = await make_customer(db, tenant, legal_name="Padaria Centrale")
    outsider = await make_customer(db, tenant, legal_name="Outra Coisa")
    product = await make_product_type(db, tenant)
    ids: dict[str, uuid.UUID] = {}
    ids["s_contact"] = await make_contact(db, tenant, s, is_primary=True, email="s@x.com")
    ids["a_contact"] = await make_contact(db, tenant, a, is_primary=True, email="a@x.com")
    ids["b_contact"] = await make_contact(db, tenant, b, full_name="Bea")
    ids["s_site"] = await make_site(db, tenant, s, name="Loja Centro", address_city="SP")
    ids["a_site_same"] = await make_site(db, tenant, a, name="loja  centro", address_city="X")
    ids["a_site"] = await make_site(db, tenant, a, name="Depósito")
    ids["s_contract"] = await make_contract(db, tenant, s)
    ids["a_contract"] = await make_contract(db, tenant, a)
    ids["b_contract"] = await make_contract(db, tenant, b)
    ids["b_site"] = await make_site(db, tenant, b, name="Filial")
    ids["s_item"] = await make_item(db, tenant, s, contract_id=ids["s_contract"],
                                    site_id=ids["s_site"], product_type_id=product)  # fmt: skip
    ids["a_item_same"] = await make_item(db, tenant, a, contract_id=ids["a_contract"],
                                         site_id=ids["a_site_same"], product_type_id=product)  # fmt: skip
    ids["a_item"] = await make_item(db, tenant, a, contract_id=ids["a_contract"],
                                    site_id=ids["a_site"], product_type_id=product)  # fmt: skip
    ids["b_item"] = await make_item(db, tenant, b, contract_id=ids["b_contract"],
                                    site_id=ids["b_site"], product_type_id=product)  # fmt: skip
    for one, other, name in ((s, a, "pair_sa"), (b, outsider, "pair_bo")):
        low, high = sorted((one, other))
        row = DuplicateCandidate(id=uuid.uuid4(), tenant_id=tenant, customer_a_id=low,
                                 customer_b_id=high, version_a=1, version_b=1, score=0.9,
                                 band="LIKELY", reasons=[])  # fmt: skip
        db.add(row)
        ids[name] = row.id
    await db.flush()
    return Scene(tenant, s, a, b, outsider, ids)


async def dump(db: AsyncSession, *, volatile: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tenant's tables, by id; without `volatile`, version and updated_at
    are left out (a merge and its undo each write the rows they move)."""
    dumped = {}
    for table in TABLES:
        rows = await db.execute(text(f"SELECT to_jsonb(t) AS j FROM {table} t ORDER BY id"))  # noqa: S608
        found = []
        for (row,) in rows:
            if not volatile:
                row.pop("version", None)
                row.pop("updated_at", None)
            found.append(row)
        dumped[table] = found
    return dumped
