"""The matcher's pure parts: field comparisons, weights, bands and reasons."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from clientbase.services.dedupe import fields
from clientbase.services.dedupe.record import MatchRecord
from clientbase.services.dedupe.scoring import LIKELY, REVIEW, WEIGHTS, compare, namesakes
from clientbase.services.dedupe.service import probe_record


def record(country: str | None = "BR", contacts: tuple[dict[str, Any], ...] = (),
           **values: Any) -> MatchRecord:  # fmt: skip
    return probe_record({"kind": "COMPANY", **values}, contacts, country)


def reasons(a: MatchRecord, b: MatchRecord) -> dict[str, tuple[str, float]]:
    return {r.field: (r.method, r.score) for r in compare(a, b).reasons}


def test_the_padaria_example_is_a_likely_duplicate_with_its_reasons() -> None:
    stored = record(legal_name="Padaria São João Ltda", tax_id="11.222.333/0001-81",
                    tax_id_country="BR", phone="(11) 98765-4321")  # fmt: skip
    typed = record(legal_name="PADARIA SAO JOAO", phone="+55 11 98765 4321")
    match = compare(typed, stored)
    assert match.band() == LIKELY
    assert reasons(typed, stored) == {"legalName": ("exact", 1.0), "phone": ("digits", 1.0)}
    # The tax id is on one side only: it neither helps nor hurts.
    assert (
        compare(typed, stored).weight
        == compare(typed, record(legal_name="Padaria São João Ltda", phone="11 98765-4321")).weight
    )


def test_a_missing_value_is_neutral_and_a_different_one_counts_against() -> None:
    base = record(legal_name="Oficina Boa Vista")
    same_name = compare(base, record(legal_name="Oficina Boa Vista"))
    with_phone = compare(base, record(legal_name="Oficina Boa Vista", phone="11 3333-4444"))
    assert with_phone.weight == same_name.weight
    other_ids = compare(
        record(legal_name="Oficina Boa Vista", tax_id="11.222.333/0001-81", tax_id_country="BR"),
        record(legal_name="Oficina Boa Vista", tax_id="11.444.777/0001-61", tax_id_country="BR"),
    )
    assert other_ids.weight < same_name.weight
    assert other_ids.band() is None


def test_name_only_is_for_review_and_a_different_name_is_nothing() -> None:
    assert compare(record(legal_name="Ferragens Central Ltda"),
                   record(legal_name="FERRAGENS CENTRAL")).band() == REVIEW  # fmt: skip
    assert compare(record(legal_name="Ferragens Central"),
                   record(legal_name="Padaria Santa Luzia")).band() is None  # fmt: skip


@pytest.mark.parametrize(
    ("a", "b", "method"),
    [
        ("padaria sao joao", "padaria sao jaoo", "jaro_winkler"),
        ("sao joao padaria", "padaria sao joao", "token_set"),
        ("padaria sao joao", "padaria sao joao", "exact"),
    ],
)
def test_name_similarity_methods(a: str, b: str, method: str) -> None:
    score, used = fields.name_similarity(a, b)
    assert used == method
    assert score >= fields.NAME_HIGH


def test_typos_and_reordered_words_still_match() -> None:
    stored = record(legal_name="Comercial Andrade e Filhos", phone="(31) 3222-1100")
    assert compare(record(legal_name="Comercial Andarde e Filhos", phone="31 32221100"),
                   stored).band() == LIKELY  # fmt: skip
    assert compare(record(legal_name="Andrade e Filhos Comercial"),
                   stored).band() == REVIEW  # fmt: skip


def test_trade_name_against_legal_name() -> None:
    a = record(legal_name="Alimentos Sao Joao SA", trade_name="Pão Quente")
    b = record(legal_name="Pao Quente")
    assert reasons(a, b)["tradeName"] == ("exact", 1.0)


def test_persons_by_given_name_surname_and_birth_date() -> None:
    ana = record(kind="PERSON", legal_name="Ana Maria Souza", birth_date=dt.date(1980, 5, 4))
    swapped = record(kind="PERSON", legal_name="Ana Souza", birth_date=dt.date(1980, 4, 5))
    match = compare(ana, swapped)
    assert match.band() == LIKELY
    assert reasons(ana, swapped)["birthDate"] == ("transposition", 0.8)
    surname_first = record(kind="PERSON", legal_name="Souza Ana", birth_date=dt.date(1980, 5, 4))
    assert compare(ana, surname_first).band() == LIKELY


def test_a_household_does_not_match() -> None:
    """Same surname, address and phone; another given name and birth date."""
    home = {"phone": "(11) 3456-7890", "address_line1": "Rua das Flores", "address_number": "12",
            "address_postal_code": "04001-000"}  # fmt: skip
    father = record(kind="PERSON", legal_name="José Pereira", birth_date=dt.date(1955, 1, 2),
                    **home)  # fmt: skip
    daughter = record(kind="PERSON", legal_name="Beatriz Pereira",
                      birth_date=dt.date(1990, 7, 30), **home)  # fmt: skip
    assert compare(father, daughter).band() is None


def test_a_branch_office_with_its_own_tax_id_does_not_match() -> None:
    head = record(legal_name="Padaria São João Ltda", tax_id="11.222.333/0001-81",
                  tax_id_country="BR", address_postal_code="01310-100")  # fmt: skip
    branch = record(legal_name="Padaria São João Ltda", tax_id="11.222.333/0002-62",
                    tax_id_country="BR", address_postal_code="04001-000")  # fmt: skip
    assert compare(head, branch).band() is None


def test_contacts_points_count_and_are_named() -> None:
    a = record(legal_name="Oficina Boa Vista",
               contacts=({"email": "Joao.Silva@boavista.com.br"},))  # fmt: skip
    b = record(legal_name="Oficina Boa Vista Ltda", email="joao.silva@boavista.com.br")
    assert reasons(a, b)["contactEmail"] == ("exact", 1.0)
    moved = record(legal_name="Oficina Boa Vista", email="joao.silva@gmail.com")
    assert reasons(b, moved)["email"] == ("local_part", 0.7)


def test_phone_tails_and_date_transpositions() -> None:
    a = MatchRecord(name="x", phones=frozenset({"5511987654321"}))
    b = MatchRecord(name="x", phones=frozenset({"11987654321"}))
    compared = fields.contact_points(a, b)
    assert compared is not None and compared.method == "last_digits"

    def level(first: dt.date, second: dt.date) -> str | None:
        compared = fields.birth_date(MatchRecord(name="x", kind="PERSON", birth_date=first),
                                     MatchRecord(name="x", kind="PERSON", birth_date=second))  # fmt: skip
        return compared.level if compared else None

    assert level(dt.date(1980, 12, 13), dt.date(1980, 12, 31)) == "transposed"
    assert level(dt.date(1980, 5, 4), dt.date(1980, 4, 5)) == "transposed"
    assert level(dt.date(1980, 12, 13), dt.date(1981, 3, 13)) == "differ"
    assert level(dt.date(1980, 12, 13), dt.date(1980, 12, 13)) == "exact"
    assert level(dt.date(1980, 12, 13), None) is None  # type: ignore[arg-type]


def test_weights_agree_for_and_disagree_against() -> None:
    for (group, level), weight in WEIGHTS.items():
        assert (weight < 0) == (level in {"differ", "initial"}), (group, level, weight)


def test_a_name_many_customers_share_weighs_less() -> None:
    a, b = record(legal_name="Padaria Central"), record(legal_name="PADARIA CENTRAL")
    alone, shared = compare(a, b), compare(a, b, sharing=8)
    assert alone.weight - shared.weight == pytest.approx(3.0)
    assert alone.band() == REVIEW and shared.band() is None
    others = [MatchRecord(name="padaria central", id=uuid.uuid4()) for _ in range(3)]
    assert namesakes(a, [*others, MatchRecord(name="padaria sul", id=uuid.uuid4())]) == 3
    assert namesakes(a, []) == 1
