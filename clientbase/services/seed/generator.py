"""Deterministic demo data: customers with contacts, sites, contracts and inventory, as rows.

Pure and fast: no database, rows are plain tuples in the column order the loader copies,
and the same seed, first number and day (dates are relative to today) give the same rows,
ids aside: those come from their own source so that repeated runs never collide.
"""

from __future__ import annotations

import gc
import random
import uuid
from collections.abc import Callable
from datetime import date

from clientbase.services.normalise import name_key
from clientbase.services.seed import tax_ids
from clientbase.services.seed.catalog import PRODUCTS
from clientbase.services.seed.countries_latin import BRAZIL, MEXICO, PORTUGAL, SPAIN
from clientbase.services.seed.countries_north import GERMANY, UNITED_KINGDOM, UNITED_STATES
from clientbase.services.seed.locales import MAILBOX, SLUG, City, Locale, split
from clientbase.services.seed.rows import Batch, Reference, Row, customer_code, ordered_ids

LOCALES = (BRAZIL, PORTUGAL, SPAIN, MEXICO, GERMANY, UNITED_STATES, UNITED_KINGDOM)
_SPEEDS = split("100 Mbps|300 Mbps|500 Mbps|1 Gbps")
_REF_SYSTEMS = split("ERP|SAP|CRM")


class _NameKeys:
    """The normaliser's name_key, remembered: generated names repeat, and it costs ~10 µs."""

    def __init__(self, limit: int = 300_000) -> None:
        self._known: dict[str, str] = {}
        self._limit = limit

    def __call__(self, name: str) -> str:
        key = self._known.get(name)
        if key is None:
            if len(self._known) >= self._limit:
                self._known.clear()
            key = self._known[name] = name_key(name)
        return key


def _initials(text: str, size: int) -> str:
    letters = "".join(word[0] for word in text.translate(SLUG).upper().split() if word)
    return (letters + "XXXX")[:size]


class SeedGenerator:
    """Customers numbered from `first_number` on, in batches, from one random stream."""

    def __init__(
        self,
        reference: Reference,
        seed: int,
        first_number: int,
        *,
        today: date | None = None,
        ids: Callable[[], uuid.UUID] | None = None,
    ) -> None:
        self._rng = random.Random(f"clientbase-seed:{seed}:{first_number}")
        self._r = self._rng.random
        self._new_id = ids or ordered_ids()
        self._next = first_number
        self._today = (today or date.today()).toordinal()
        self._ref = reference
        self._name_key = _NameKeys()
        self._locales = tuple(loc for loc in LOCALES for _ in range(loc.weight))
        self._families = {
            loc.country: tuple(f.format(s=s) for f in loc.families for s in loc.surnames)
            for loc in LOCALES
        }
        self._products = tuple(
            (reference.product_type_ids[p.name], p.serial_prefix)
            for p in PRODUCTS
            for _ in range(p.weight)
        )

    def batch(self, count: int) -> Batch:
        batch = Batch()
        # The rows hold no reference cycles, but the cyclic collector would still walk the
        # growing lists again and again: pausing it makes generation about a third faster.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for _ in range(count):
                self._customer(batch, self._next)
                self._next += 1
        finally:
            if collecting:
                gc.enable()
        return batch

    def _pick(self, pool: tuple[str, ...]) -> str:
        return pool[int(self._r() * len(pool))]

    def _address(self, loc: Locale) -> tuple[City, Row]:
        r, city = self._r, loc.cities[int(self._r() * len(loc.cities))]
        line2 = self._pick(loc.language.address_line2) if r() < 0.3 else None
        number = str(1 + int(r() * loc.max_street_number))
        postal = loc.postal_code(city.postal_prefix, r)
        street = self._pick(loc.streets)
        return city, (street, line2, number, city.name, city.region, postal, loc.country)

    def _customer(self, batch: Batch, n: int) -> None:
        r, pick, loc = self._r, self._pick, self._locales[int(self._r() * len(self._locales))]
        code, company = customer_code(n), r() < 0.8
        city, address = self._address(loc)
        trade_name = tax_id = birth_date = email = website = company_type = None
        if company:
            template = pick(loc.name_templates)
            surname = pick(loc.surnames)
            stem = template.format(
                b=pick(loc.businesses), q=pick(loc.qualifiers), s=surname,
                t=pick(loc.surnames), f=pick(self._families[loc.country]),
            )  # fmt: skip
            suffix, type_name, letter = loc.suffixes[int(r() * len(loc.suffixes))]
            legal_name = f"{stem} {suffix}"
            trade_name = stem if r() < 0.5 else None
            domain = f"{stem.translate(SLUG).lower()[:40]}.{loc.tld}"
            email = f"{pick(loc.language.mailbox_names)}@{domain}" if r() < 0.85 else None
            website = ("https://www." if r() < 0.7 else "www.") + domain if r() < 0.45 else None
            company_type = self._ref.company_type_ids[type_name]
            if r() < 0.97:
                if loc is MEXICO:
                    founded = date.fromordinal(self._today - 400 - int(r() * 20000))
                    tax_id = tax_ids.mx_rfc(_initials(stem, 3), founded, n)
                elif make_company_id := tax_ids.COMPANY_IDS.get(loc.country):
                    tax_id = make_company_id(n, letter)
        else:
            first, last = pick(loc.first_names), pick(loc.surnames)
            second = pick(loc.surnames) if r() < loc.second_surname else None
            legal_name = f"{first} {last} {second}" if second else f"{first} {last}"
            domain = pick(loc.mail_hosts)
            if r() < 0.7:
                mailbox = f"{first}.{second or last}".translate(MAILBOX).lower()
                email = f"{mailbox}{int(r() * 100)}@{domain}"
            born = date.fromordinal(self._today - int((18 + r() * 67) * 365.25))
            birth_date = born
            if r() < 0.85:
                if loc is MEXICO:
                    vowel = next((c for c in last[1:].translate(SLUG).upper() if c in "AEIOU"), "X")
                    letters = (last[0] + vowel + (second or "X")[0] + first[0]).translate(SLUG)
                    tax_id = tax_ids.mx_rfc(letters.upper(), born, n)
                elif make_person_id := tax_ids.PERSON_IDS.get(loc.country):
                    tax_id = make_person_id(n)
        customer_id, keys = self._new_id(), self._name_key
        phone = loc.phone(r, city.area_code, not company or r() < 0.3) if r() < 0.9 else None
        batch.customers.append((
            customer_id, code, "COMPANY" if company else "PERSON", legal_name, trade_name,
            tax_id, loc.country if tax_id else None, birth_date, email, phone and phone[0], website,
            *address,
            self._ref.category_ids[int(r() * len(self._ref.category_ids))] if r() < 0.85 else None,
            company_type, "ACTIVE" if r() < 0.93 else "INACTIVE",
            f"{pick(_REF_SYSTEMS)}-{n:08d}" if r() < 0.35 else None,
            # The stored tax id is already compact: letters and digits, upper case.
            keys(legal_name), keys(trade_name) if trade_name else None, tax_id,
            phone[1] if phone else None,
        ))  # fmt: skip
        self._contacts(batch, loc, customer_id, n, domain, city.area_code, company)
        sites = self._sites(batch, loc, customer_id, address)
        contracts = self._contracts(batch, loc, customer_id, n)
        self._items(batch, loc, customer_id, n, contracts, sites)

    def _contacts(
        self, batch: Batch, loc: Locale, customer_id: uuid.UUID, n: int, domain: str,
        area: str, company: bool,
    ) -> None:  # fmt: skip
        r, pick = self._r, self._pick
        primary = 0 if r() < 0.85 else -1
        for j in range(1 + int(r() * 3)):
            first, last = pick(loc.first_names), pick(loc.surnames)
            # The customer number and the contact's index make the address unique per tenant.
            mailbox = f"{first}.{last}.{n}{j}".translate(MAILBOX).lower()
            full_name = f"{first} {last}"
            phone = loc.phone(r, area, r() < 0.8) if r() < 0.8 else None
            batch.contacts.append((
                self._new_id(), customer_id, first, last, full_name,
                f"{mailbox}@{domain}" if r() < 0.9 else None, phone and phone[0],
                pick(loc.language.job_titles) if company and r() < 0.8 else None,
                j == primary, self._name_key(full_name), phone and phone[1],
            ))  # fmt: skip

    def _sites(
        self, batch: Batch, loc: Locale, customer_id: uuid.UUID, address: Row
    ) -> list[uuid.UUID]:
        head = self._new_id()
        batch.sites.append((head, customer_id, self._pick(loc.language.head_sites), *address))
        if self._r() >= 0.45:
            return [head]
        other, (city, second) = self._new_id(), self._address(loc)
        name = self._pick(loc.language.other_sites).replace("{city}", city.name)
        batch.sites.append((other, customer_id, name, *second))
        return [head, other]

    def _contracts(
        self, batch: Batch, loc: Locale, customer_id: uuid.UUID, n: int
    ) -> list[uuid.UUID]:
        r, today, ids = self._r, self._today, []
        for j in range(1 + (r() < 0.4)):
            term = (365, 730, 1095, 1826)[int(r() * 4)]
            status, x = "ACTIVE", r()
            if x < 0.70:
                starts = today - int(r() * 1400)
                ends = None if r() < 0.25 else today + 30 + int(r() * 1000)
            elif x < 0.82:
                status, ends = "EXPIRED", today - 1 - int(r() * 1500)
                starts = ends - term
            elif x < 0.90:
                status, starts = "DRAFT", today + int(r() * 90)
                ends = starts + term if r() < 0.5 else None
            elif x < 0.96:
                status, starts = "CANCELLED", today - 30 - int(r() * 2000)
                ends = starts + int(r() * 700)
            else:
                status, starts = "SUSPENDED", today - int(r() * 1400)
                ends = None
            begin = date.fromordinal(starts)
            title = self._pick(loc.language.contract_titles).replace("{speed}", self._pick(_SPEEDS))
            contract_id = self._new_id()
            batch.contracts.append((
                contract_id, customer_id, f"CT-{begin.year}-{n:07d}-{j + 1}", title, status,
                begin, date.fromordinal(ends) if ends is not None else None,
            ))  # fmt: skip
            ids.append(contract_id)
        return ids

    def _items(
        self, batch: Batch, loc: Locale, customer_id: uuid.UUID, n: int,
        contracts: list[uuid.UUID], sites: list[uuid.UUID],
    ) -> None:  # fmt: skip
        r, items, products = self._r, batch.items, self._products
        descriptions, notes = loc.language.item_descriptions, loc.language.item_notes
        for k in range(int(r() * 6) + int(r() * 6)):
            item_id = self._new_id()
            product_id, prefix = products[int(r() * len(products))]
            # Consecutive per customer, as devices shipped together are; increasing, so the
            # (tenant, product type, serial) index grows at its edges during a bulk load.
            serial = f"{prefix}-{n:08d}{k:02d}"
            status, x = "ACTIVE", r()
            if x < 0.03 and k:
                # A swap: the previous item was replaced by this one.
                items[-1] = (*items[-1][:8], "REPLACED", item_id)
            elif x < 0.08:
                status = "RETURNED"
            items.append((
                item_id, customer_id, contracts[int(r() * len(contracts))],
                sites[int(r() * len(sites))], product_id, serial,
                descriptions[int(r() * len(descriptions))] if r() < 0.5 else None,
                notes[int(r() * len(notes))] if r() < 0.12 else None, status, None,
            ))  # fmt: skip
