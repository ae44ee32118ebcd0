"""The rows the seed writes: column orders, the batch that carries them, and their ids."""

from __future__ import annotations

import itertools
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Row = tuple[object, ...]

CUSTOMER_COLUMNS = (
    "id", "code", "kind", "legal_name", "trade_name", "tax_id", "tax_id_country", "birth_date",
    "email", "phone", "website", "address_line1", "address_line2", "address_number",
    "address_city", "address_region", "address_postal_code", "address_country", "category_id",
    "company_type_id", "status", "external_ref", "name_key", "trade_name_key", "tax_id_key",
    "phone_digits",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "customer_id", "first_name", "last_name", "full_name", "email", "phone", "job_title",
    "is_primary", "name_key", "phone_digits",
)  # fmt: skip
SITE_COLUMNS = (
    "id", "customer_id", "name", "address_line1", "address_line2", "address_number",
    "address_city", "address_region", "address_postal_code", "address_country",
)  # fmt: skip
CONTRACT_COLUMNS = ("id", "customer_id", "number", "title", "status", "starts_on", "ends_on")
ITEM_COLUMNS = (
    "id", "customer_id", "contract_id", "site_id", "product_type_id", "serial_number",
    "description", "notes", "status", "replaced_by_id",
)  # fmt: skip

# UUIDv7 layout: 48-bit Unix milliseconds, version 7, 12 + 62 bits for a counter, variant 10.
_V7_VERSION = 0x7 << 76
_V7_VARIANT = 0b10 << 62
_LOW_62 = (1 << 62) - 1


@dataclass(frozen=True)
class Reference:
    """Ids of the tenant's reference rows the generated customers and items point at."""

    category_ids: tuple[uuid.UUID, ...]
    company_type_ids: Mapping[str, uuid.UUID]
    product_type_ids: Mapping[str, uuid.UUID]


@dataclass
class Batch:
    customers: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    sites: list[Row] = field(default_factory=list)
    contracts: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)

    def tables(self) -> tuple[tuple[str, tuple[str, ...], list[Row]], ...]:
        """(table, columns, rows) with parents before children, the order foreign keys need."""
        return (
            ("customer", CUSTOMER_COLUMNS, self.customers),
            ("contact", CONTACT_COLUMNS, self.contacts),
            ("site", SITE_COLUMNS, self.sites),
            ("contract", CONTRACT_COLUMNS, self.contracts),
            ("inventory_item", ITEM_COLUMNS, self.items),
        )


def customer_code(number: int) -> str:
    return f"C{number:07d}"


def ordered_ids(millis: int | None = None, start: int | None = None) -> Callable[[], uuid.UUID]:
    """Increasing UUIDv7s: this run's start time, then a 74-bit counter from a random start.

    Every id the seed makes is larger than the one before, so each primary key and each
    index on a parent's id (contact.customer_id, inventory_item.contract_id, ...) grows at
    its right edge instead of touching a random page per row, which keeps bulk loads fast
    once the indexes outgrow memory. A random counter start keeps concurrent runs apart.
    """
    stamp = (time.time_ns() // 1_000_000 if millis is None else millis) << 80
    counter = itertools.count(random.SystemRandom().getrandbits(72) if start is None else start)
    make = uuid.UUID

    def new_id() -> uuid.UUID:
        value = next(counter)
        return make(int=stamp | _V7_VERSION | (value >> 62) << 64 | _V7_VARIANT | value & _LOW_62)

    return new_id
