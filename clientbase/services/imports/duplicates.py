"""An import's duplicate policy for new customers, with the matcher of services/dedupe.

CREATE creates every row (no check). SKIP does not create a row that is a likely
duplicate of a stored customer: the row counts as skipped and its row error (code
DUPLICATE) names the customer, so the error report lists it for review. FLAG creates the
row and records each match as a duplicate candidate, as a scan would. Rows are matched
against the customers stored before their chunk (earlier chunks included) and against the
earlier new rows of their own chunk (`within`): a file that holds one customer twice
creates it once under SKIP, and flags the pair under FLAG.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer
from clientbase.services.dedupe import blocking, candidates, repository
from clientbase.services.dedupe import service as dedupe
from clientbase.services.dedupe.record import MatchRecord, from_values
from clientbase.services.dedupe.scoring import LIKELY, Match, compare
from clientbase.services.dedupe.settings import DuplicateSettings
from clientbase.services.imports.problems import RowCode, RowIssue
from clientbase.services.imports.rows import Row


class DuplicatePolicy(enum.StrEnum):
    CREATE = "CREATE"
    SKIP = "SKIP"
    FLAG = "FLAG"


@dataclass
class DuplicateScreen:
    policy: DuplicatePolicy
    settings: DuplicateSettings

    async def screen(self, session: AsyncSession, rows: Sequence[Row]) -> list[Row]:
        """The rows to write: all but SKIP's likely duplicates. FLAG notes each new row's
        matches on the row, for flag() once the row exists."""
        creating = [row for row in rows if row.existing is None and row.record is not None]
        if self.policy is DuplicatePolicy.CREATE or not creating:
            return list(rows)
        probes = [from_values(row.record or {}, record_id=row.record_id, version=1)
                  for row in creating]  # fmt: skip
        held: dict[int, dedupe.Scored] = {}
        for row, found in zip(creating, await dedupe.batch_matches(session, probes, self.settings),
                              strict=True):  # fmt: skip
            if self.policy is DuplicatePolicy.FLAG:
                row.candidates = [
                    candidates.ordered((row.record_id, 1), (s.other.id, s.other.version),
                                       s.match, s.band)
                    for s in found if s.other.id is not None
                ]  # fmt: skip
                continue
            best = max((s for s in found if s.band == LIKELY), key=lambda s: s.match.score,
                       default=None)  # fmt: skip
            if best is not None:
                held[row.number] = best
        if held:
            stored = await repository.customers(session, [s.other.id for s in held.values()
                                                          if s.other.id is not None])  # fmt: skip
            for row in creating:
                if row.number in held:
                    row.notes.append(_note(held[row.number], stored))
        skipped = self._within(creating, probes, set(held))
        return [row for row in rows if row.number not in held and row.number not in skipped]

    def _within(self, creating: list[Row], probes: list[MatchRecord], held: set[int]) -> set[int]:
        """Compare the new rows of the chunk with each other: FLAG adds the pairs to the
        later row's candidates; SKIP holds back a row that is a likely duplicate of an
        earlier row that is created. The numbers of the rows SKIP holds back."""
        skipped: set[int] = set()
        found = within(probes, self.settings)
        for later in sorted(found):  # file order: an earlier row's fate is known first
            row, matches = creating[later], found[later]
            if self.policy is DuplicatePolicy.FLAG:
                row.candidates += [candidates.ordered((creating[earlier].record_id, 1),
                                                      (row.record_id, 1), match, band)
                                   for earlier, match, band in matches]  # fmt: skip
                continue
            if row.number in held:
                continue
            kept = [(earlier, match) for earlier, match, band in matches if band == LIKELY
                    and creating[earlier].number not in held | skipped]  # fmt: skip
            if kept:
                earlier, match = max(kept, key=lambda found: found[1].score)
                row.notes.append(_note_within(creating[earlier], match))
                skipped.add(row.number)
        return skipped

    async def flag(
        self,
        session: AsyncSession,
        rows: Sequence[Row],
        created: dict[int, bool],
        tenant_id: uuid.UUID,
        job_id: uuid.UUID,
    ) -> None:
        """Record the matches of the rows just created as duplicate candidates (a pair of
        two new rows only when both were created)."""
        new = {row.record_id for row in rows if row.existing is None and row.record is not None}
        made = {row.record_id for row in rows if created.get(row.number) and row.record}
        pairs = [pair for row in rows if created.get(row.number) for pair in row.candidates
                 if (pair.a_id not in new or pair.a_id in made)
                 and (pair.b_id not in new or pair.b_id in made)]  # fmt: skip
        await candidates.store(session, tenant_id, job_id, pairs)


WINDOW = 5  # rows sharing a key meet the next WINDOW of them in name order, as scans do


def within(
    probes: Sequence[MatchRecord], settings: DuplicateSettings
) -> dict[int, list[tuple[int, Match, str]]]:
    """For each probe (by index), the earlier probes it matches in the review band or
    above, with the match and its band. Blocked in memory on the keys a lookup uses (tax
    id, e-mails, phones and their last digits, names and their words, the initial within
    the postal code or birth date) and on neighbours in name order."""
    groups: dict[tuple[str, Any], list[int]] = {}
    for index, probe in enumerate(probes):
        for key in _keys(probe):
            groups.setdefault(key, []).append(index)
    by_name = sorted(range(len(probes)), key=lambda i: (probes[i].name, i))
    meeting: set[tuple[int, int]] = set()
    for members in [*groups.values(), by_name]:
        ordered = sorted(set(members), key=lambda i: (probes[i].name, i))
        for at, first in enumerate(ordered):
            for second in ordered[at + 1 : at + 1 + WINDOW]:
                meeting.add((min(first, second), max(first, second)))
    found: dict[int, list[tuple[int, Match, str]]] = {}
    for earlier, later in sorted(meeting):
        match = compare(probes[earlier], probes[later])
        band = match.band(settings.review, settings.likely)
        if band is not None:
            found.setdefault(later, []).append((earlier, match, band))
    return found


def _keys(probe: MatchRecord) -> list[tuple[str, Any]]:
    keys = blocking.keys(probe)
    found: list[tuple[str, Any]] = [("email", e) for e in keys.emails]
    found += [("phone", p) for p in keys.phones] + [("tail", t) for t in keys.phone_tails]
    found += [("name", n) for n in (keys.name, keys.trade_name) if n]
    if keys.tax_id:
        found.append(("tax", keys.tax_id))
    if probe.name:
        found.append(("words", " ".join(sorted(set(probe.name.split())))))
    if keys.initial and keys.postal_code:
        found.append(("place", (keys.initial, keys.postal_code)))
    if keys.initial and keys.birth_date:
        found.append(("born", (keys.initial, keys.birth_date)))
    return found


def _note_within(earlier: Row, match: Match) -> RowIssue:
    record = earlier.record or {}
    reasons = ", ".join(f"{r.field} ({r.method})" for r in match.reasons[:3])
    message = (f"Not created: a likely duplicate (score {match.score:.2f}) of row "
               f"{earlier.number} of this file, {record.get('code')} "
               f"{record.get('legal_name')!r}, by {reasons}.")  # fmt: skip
    return RowIssue(None, RowCode.DUPLICATE, message)


def _note(found: dedupe.Scored, stored: dict[uuid.UUID, Customer]) -> RowIssue:
    customer = stored.get(found.other.id) if found.other.id is not None else None
    named = f"{customer.code} {customer.legal_name!r}" if customer else f"{found.other.name!r}"
    reasons = ", ".join(f"{r.field} ({r.method})" for r in found.match.reasons[:3])
    message = (f"Not created: a likely duplicate (score {found.match.score:.2f}) of the "
               f"customer {named}, by {reasons}.")  # fmt: skip
    return RowIssue(None, RowCode.DUPLICATE, message)
