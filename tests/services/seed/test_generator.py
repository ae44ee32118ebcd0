"""The seed's generator without a database: valid tax ids and phones, unique keys, determinism."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from typing import Any

import pytest
from stdnum.br import cnpj, cpf
from stdnum.de import vat as de_vat
from stdnum.es import cif, dni
from stdnum.gb import vat as gb_vat
from stdnum.mx import rfc
from stdnum.pt import nif
from stdnum.us import ein, ssn

from clientbase.services.normalise import digits, name_key, normalise_email, normalise_phone
from clientbase.services.seed.catalog import CATEGORIES, COMPANY_TYPES, PRODUCTS
from clientbase.services.seed.generator import SeedGenerator
from clientbase.services.seed.rows import Batch, Reference, ordered_ids

TODAY = date(2026, 3, 1)
REFERENCE = Reference(
    category_ids=tuple(uuid.uuid4() for _ in CATEGORIES),
    company_type_ids={name: uuid.uuid4() for name in COMPANY_TYPES},
    product_type_ids={product.name: uuid.uuid4() for product in PRODUCTS},
)

# stdnum's verdict on each country's company and person numbers, as the seed stores them.
VALID = {
    ("BR", "COMPANY"): cnpj.is_valid,
    ("BR", "PERSON"): cpf.is_valid,
    ("PT", "COMPANY"): lambda n: nif.is_valid(n) and n[0] == "5",
    ("PT", "PERSON"): lambda n: nif.is_valid(n) and n[0] in "123",
    ("ES", "COMPANY"): cif.is_valid,
    ("ES", "PERSON"): dni.is_valid,
    ("DE", "COMPANY"): de_vat.is_valid,
    ("US", "COMPANY"): ein.is_valid,
    ("US", "PERSON"): ssn.is_valid,
    ("GB", "COMPANY"): gb_vat.is_valid,
    ("MX", "COMPANY"): lambda n: len(n) == 12 and rfc.is_valid(n, validate_check_digits=True),
    ("MX", "PERSON"): lambda n: len(n) == 13 and rfc.is_valid(n, validate_check_digits=True),
}


def generate(count: int, seed: int = 42, first: int = 1) -> Batch:
    ids = ordered_ids(millis=1_700_000_000_000, start=0)
    return SeedGenerator(REFERENCE, seed, first, today=TODAY, ids=ids).batch(count)


def as_dicts(batch: Batch, table: str) -> list[dict[str, Any]]:
    columns, rows = next((c, r) for name, c, r in batch.tables() if name == table)
    return [dict(zip(columns, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def batch() -> Batch:
    return generate(3000)


def test_same_seed_same_rows_and_another_seed_other_rows() -> None:
    assert generate(300) == generate(300)
    other = generate(300, seed=7)
    assert [c[3] for c in other.customers] != [c[3] for c in generate(300).customers]
    # Batch boundaries do not matter: the random stream runs on across batches.
    ids = ordered_ids(millis=1_700_000_000_000, start=0)
    split = SeedGenerator(REFERENCE, 42, 1, today=TODAY, ids=ids)
    assert split.batch(100).customers + split.batch(200).customers == generate(300).customers


def test_every_tax_id_is_valid_for_its_country(batch: Batch) -> None:
    seen: Counter[tuple[str, str]] = Counter()
    for customer in as_dicts(batch, "customer"):
        if customer["tax_id"] is None:
            continue
        key = (customer["tax_id_country"], customer["kind"])
        assert VALID[key](customer["tax_id"]), (key, customer["tax_id"])
        assert customer["tax_id_key"] == customer["tax_id"]
        seen[key] += 1
    assert set(seen) == set(VALID)
    tax_ids = [c[5] for c in batch.customers if c[5] is not None]
    assert len(tax_ids) == len(set(tax_ids))


def test_keys_agree_with_the_normalisers(batch: Batch) -> None:
    customers = as_dicts(batch, "customer")
    countries = {c["id"]: c["address_country"] for c in customers}
    phones = [(c["phone"], c["phone_digits"], c["address_country"]) for c in customers]
    for contact in as_dicts(batch, "contact"):
        phones.append(
            (contact["phone"], contact["phone_digits"], countries[contact["customer_id"]])
        )
        assert contact["name_key"] == name_key(contact["full_name"])
        if contact["email"]:
            assert normalise_email(contact["email"]) == contact["email"]
    for typed, stored_digits, country in phones:
        assert (typed is None) == (stored_digits is None)
        if typed is not None:
            assert digits(normalise_phone(typed, country)) == stored_digits, typed
    for customer in customers:
        assert customer["name_key"] == name_key(customer["legal_name"])
        if customer["trade_name"]:
            assert customer["trade_name_key"] == name_key(customer["trade_name"])
        if customer["email"]:
            assert normalise_email(customer["email"]) == customer["email"]


def test_values_unique_per_tenant_are_unique(batch: Batch) -> None:
    def unique(values: list[Any]) -> bool:
        present = [v for v in values if v is not None]
        return len(present) == len(set(present))

    assert unique([c[1] for c in batch.customers])
    assert unique([c["external_ref"] for c in as_dicts(batch, "customer")])
    assert unique([c["number"] for c in as_dicts(batch, "contract")])
    assert unique(
        [(i["product_type_id"], i["serial_number"]) for i in as_dicts(batch, "inventory_item")]
    )
    assert unique([c["email"].lower() if c["email"] else None for c in as_dicts(batch, "contact")])
    assert unique([(s["customer_id"], s["name"]) for s in as_dicts(batch, "site")])
    primaries = Counter(c["customer_id"] for c in as_dicts(batch, "contact") if c["is_primary"])
    assert max(primaries.values()) == 1


def test_children_belong_to_their_customer(batch: Batch) -> None:
    owner = {row[0]: row[1] for row in batch.contracts + batch.sites}
    for item in as_dicts(batch, "inventory_item"):
        assert owner[item["contract_id"]] == item["customer_id"]
        assert owner[item["site_id"]] == item["customer_id"]
        assert (item["status"] == "REPLACED") == (item["replaced_by_id"] is not None)
    per_customer = Counter(item[1] for item in batch.items)
    assert 4 < len(batch.items) / len(batch.customers) < 6
    assert max(per_customer.values()) <= 10
    for contract in as_dicts(batch, "contract"):
        if contract["starts_on"] and contract["ends_on"]:
            assert contract["starts_on"] <= contract["ends_on"]


def test_the_data_looks_like_a_registry(batch: Batch) -> None:
    customers = as_dicts(batch, "customer")
    kinds = Counter(c["kind"] for c in customers)
    assert 0.75 < kinds["COMPANY"] / len(customers) < 0.85
    assert all((c["birth_date"] is not None) == (c["kind"] == "PERSON") for c in customers)
    names = " ".join(c["legal_name"] for c in customers)
    for accented in ("ã", "ç", "é", "ü", "ñ", "ö"):
        assert accented in names
    for suffix in (" Ltda", " S.A.", " GmbH", " S.L.", " Lda", " LLC", " Inc"):
        assert suffix in names
    assert (
        Counter(c["status"] for c in as_dicts(batch, "contract"))["ACTIVE"]
        > len(batch.contracts) / 2
    )
    assert customers[0]["code"] == "C0000001"


def test_ids_are_increasing_version_7_uuids(batch: Batch) -> None:
    ids = [row[0] for row in batch.customers]
    assert ids == sorted(ids) and {i.version for i in ids} == {7}
    assert len({row[0] for rows in (batch.contacts, batch.items) for row in rows}) == len(
        batch.contacts
    ) + len(batch.items)
