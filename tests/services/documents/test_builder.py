"""The statement cache: bounded, shared by lookups of any id, keyed by everything else."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql.asyncpg import dialect

from clientbase.services.documents import plan as p
from clientbase.services.documents.builder import StatementCache
from clientbase.services.query.pagination import PageRequest

PARTS = (p.GlobalId("id"), p.Value("code", "code"))


def test_lookups_of_any_id_share_one_statement() -> None:
    cache = StatementCache(maxsize=4)
    first = cache.get(p.One("c", "Customer", "id", uuid.uuid4(), PARTS), dialect())
    second = cache.get(p.One("c", "Customer", "id", uuid.uuid4(), PARTS), dialect())
    assert first is second
    value = uuid.uuid4()
    assert value in first.parameters(value, {})


def test_the_cache_keeps_at_most_maxsize_statements() -> None:
    cache = StatementCache(maxsize=2)
    pages = [p.Page("c", "Customer", PageRequest(first=n), (p.TotalCount("t"),)) for n in (1, 2, 3)]
    compiled = [cache.get(page, dialect()) for page in pages]
    assert len({c.sql for c in compiled}) == 1  # the page size is a parameter of one text
    assert compiled[0].values != compiled[2].values
    assert len(cache._entries) == 2
    assert cache.get(pages[0], dialect()) is not compiled[0]  # the oldest went first
