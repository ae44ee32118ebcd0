"""Scoring a full scan's chunks where the match records outlive the chunk that built them.

Customers are numbered in the scan's order (their rank, see `set_blocking`) and a chunk's
pairs are given by rank. The process that scores keeps the records it was sent (`Records`);
the scan keeps a mirror of what each scoring process holds (`Held`) and sends a chunk only
the rows it does not hold yet, with the ranks to drop: those before the chunk (a pair lies
in the chunk of its lower rank, so later chunks never need them) and, over CAPACITY, the
latest ones. Both sides apply the same lists in the same order, so they always agree, and
each record is read, sent and built about once per scan instead of once per chunk it is in.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clientbase.services.dedupe import candidates
from clientbase.services.dedupe.candidates import Pair
from clientbase.services.dedupe.record import MatchRecord
from clientbase.services.dedupe.repository import RECORD_FIELDS, record_from_row
from clientbase.services.dedupe.scoring import compare_above

# Records the scoring processes hold at most (about 4 KB each at 1,000,000 customers):
# pairs reaching far ahead in the scan's order (a shared phone, a rare word) keep theirs
# until the scan gets there.
CAPACITY = 400_000
# A record row as `set_blocking.record_rows` reads it: rank, the record's columns, and how
# many customers bear its name (scoring.namesakes).
ROW_FIELDS = ("rank", *RECORD_FIELDS, "sharing")


@dataclass(frozen=True)
class Work:
    """One chunk for a scoring process: what to drop and add, then the pairs by rank."""

    scan: str  # the scan's own token: a process never mixes two scans' records
    drop: list[int]
    rows: list[tuple[Any, ...]]  # ROW_FIELDS
    first: list[int]  # the pairs' ranks, pair i is (first[i], second[i])
    second: list[int]
    review: float
    likely: float


@dataclass
class Records:
    """The match records (and namesake counts) a scoring process holds, by rank."""

    scan: str = ""
    # (record, its id, how many customers bear its name)
    by_rank: dict[int, tuple[MatchRecord, uuid.UUID, int]] = field(default_factory=dict)

    def update(self, scan: str, drop: Iterable[int], rows: Iterable[Sequence[Any]]) -> None:
        if scan != self.scan:
            self.scan, self.by_rank = scan, {}
        for rank in drop:
            del self.by_rank[rank]
        for row in rows:
            values = dict(zip(ROW_FIELDS, row, strict=True))
            record = record_from_row(values)
            self.by_rank[values["rank"]] = (record, values["id"], int(values["sharing"]))


# The records of this process when it is one of a scan's pool (one task at a time).
_HELD_HERE = Records()


def score_chunk(work: Work, records: Records | None = None) -> list[Pair]:
    """The chunk's pairs in the review band or above, after `records` (this process's own
    when None) took the chunk's drops and rows. Each pair is compared with its smaller
    customer id first, as every scan and lookup does."""
    records = _HELD_HERE if records is None else records
    records.update(work.scan, work.drop, work.rows)
    by_rank = records.by_rank
    found = []
    for x, y in zip(work.first, work.second, strict=True):
        (a, a_id, sharing), (b, b_id, other) = by_rank[x], by_rank[y]
        if b_id < a_id:
            a, a_id, b, b_id, sharing = b, b_id, a, a_id, other
        match = compare_above(a, b, sharing, work.review)
        if match is not None:
            band = match.band(work.review, work.likely)
            assert band is not None
            found.append(candidates.ordered((a_id, a.version), (b_id, b.version), match, band))
    return found


@dataclass
class Held:
    """The scan's mirror of the ranks one scoring process holds."""

    capacity: int = CAPACITY
    ranks: set[int] = field(default_factory=set)
    _order: list[int] = field(default_factory=list)  # a heap of ranks held (or dropped since)

    def plan(self, start: int, needed: Iterable[int]) -> tuple[list[int], list[int]]:
        """(ranks to send, ranks to drop) for the chunk starting at rank `start` whose pairs
        need the records `needed`; the mirror then holds what the process will."""
        drop = []
        while self._order and self._order[0] < start:
            rank = heapq.heappop(self._order)
            if rank in self.ranks:
                self.ranks.remove(rank)
                drop.append(rank)
        wanted = set(needed)
        send = sorted(wanted - self.ranks)
        excess = len(self.ranks) + len(send) - self.capacity
        if excess > 0:
            # The latest ranks are needed last (if at all before the scan reaches them).
            for rank in heapq.nlargest(excess, self.ranks - wanted):
                self.ranks.remove(rank)
                drop.append(rank)
        for rank in send:
            self.ranks.add(rank)
            heapq.heappush(self._order, rank)
        return send, drop
