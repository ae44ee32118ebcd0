"""The tenant views the typeahead reads (migration 0002), as Core tables: customers,
contacts and the word list.

They are not models: autogenerate would take them for tables. Each view filters on the
current tenant itself, so pg_trgm's and full-text operators can use their indexes (see
the migration).
"""

from __future__ import annotations

from sqlalchemy import Column, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import UUID

metadata = MetaData()

customer_search = Table(
    "customer_search",
    metadata,
    Column("id", UUID(as_uuid=True)),
    Column("tenant_id", UUID(as_uuid=True)),
    Column("name_key", Text),
    Column("trade_name_key", Text),
    Column("tax_id_key", Text),
    Column("phone_digits", Text),
    Column("phone_digits_reversed", Text),
    Column("email", Text),
    Column("code_key", Text),
)

contact_search = Table(
    "contact_search",
    metadata,
    Column("id", UUID(as_uuid=True)),
    Column("tenant_id", UUID(as_uuid=True)),
    Column("customer_id", UUID(as_uuid=True)),
    Column("name_key", Text),
    Column("phone_digits", Text),
    Column("phone_digits_reversed", Text),
    Column("email", Text),
)

word_search = Table(
    "word_search",
    metadata,
    Column("tenant_id", UUID(as_uuid=True)),
    Column("word", Text),
)
