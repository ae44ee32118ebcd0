"""The records a scoring process holds and the scan's mirror of them always agree, a chunk
always finds every record its pairs need, and records never outlive their scan."""

from __future__ import annotations

import itertools
import random
import uuid
from typing import Any

from clientbase.services.dedupe import chunk_scoring
from clientbase.services.dedupe.chunk_scoring import Held, Records, Work, score_chunk


def _row(rank: int, name: str, version: int = 1) -> tuple[Any, ...]:
    values = {"rank": rank, "id": uuid.UUID(int=rank), "version": version, "kind": "COMPANY",
              "legal_name": name, "name_key": name.lower(), "sharing": 1}  # fmt: skip
    return tuple(values.get(f) for f in chunk_scoring.ROW_FIELDS)


def test_the_mirror_and_the_held_records_agree_chunk_after_chunk() -> None:
    r = random.Random(4)
    customers, chunk, capacity = 400, 20, 60
    held, records = Held(capacity), Records()
    sent = 0
    for start in range(1, customers + 1, chunk):
        end = min(start + chunk - 1, customers)
        # Pairs from the chunk's customers to later ones, mostly near, some far ahead.
        first = [r.randint(start, end) for _ in range(40)]
        second = [min(customers, a + (r.randint(1, 15) if r.random() < 0.8 else
                                      r.randint(16, 300))) for a in first]  # fmt: skip
        pairs = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
        needed = set(itertools.chain.from_iterable(pairs))
        send, drop = held.plan(start, needed)
        sent += len(send)
        rows = [_row(rank, f"Name {rank}") for rank in send]
        work = Work("scan", drop, rows, [a for a, _ in pairs], [b for _, b in pairs], 0.5, 0.95)
        score_chunk(work, records)  # a record missing would raise KeyError
        assert set(records.by_rank) == held.ranks >= needed
        assert min(held.ranks) >= start
        assert len(held.ranks) <= max(capacity, len(needed))
    # Far partners are kept until the scan reaches them: few records are sent twice.
    assert sent < customers * 1.5


def test_a_new_scan_never_sees_the_records_of_the_last_one() -> None:
    records = Records()
    old = Work("first scan", [], [_row(1, "Padaria Norte"), _row(2, "Padaria Norte")],
               [1], [2], 0.5, 0.95)  # fmt: skip
    [pair] = score_chunk(old, records)
    assert (pair.version_a, pair.version_b) == (1, 1)
    # The next scan sends its own rows: same ranks, a record changed since.
    new = Work("second scan", [], [_row(1, "Padaria Norte"), _row(2, "Padaria Norte", 5)],
               [1], [2], 0.5, 0.95)  # fmt: skip
    [pair] = score_chunk(new, records)
    assert (pair.version_a, pair.version_b) == (1, 5)
    # A scan that sent nothing for a rank finds nothing held from another scan.
    other = Work("third scan", [], [_row(2, "Padaria Norte")], [1], [2], 0.5, 0.95)
    try:
        score_chunk(other, records)
    except KeyError:
        pass
    else:
        raise AssertionError("a record of another scan was used")
