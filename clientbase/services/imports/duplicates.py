"""An import's duplicate policy for new customers, with the matcher of services/dedupe.

CREATE creates every row (no check). SKIP does not create a row that is a likely
duplicate of a stored customer: the row counts as skipped and its row error (code
DUPLICATE) names the customer, so the error report lists it for review. FLAG creates the
row and records each match as a duplicate candidate, as a scan would. Rows are matched
against the customers stored before their chunk: two rows of one chunk are not compared.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.customer import Customer
from clientbase.services.dedupe import candidates, repository
from clientbase.services.dedupe import service as dedupe
from clientbase.services.dedupe.record import from_values
from clientbase.services.dedupe.scoring import LIKELY
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
        return [row for row in rows if row.number not in held]

    async def flag(
        self,
        session: AsyncSession,
        rows: Sequence[Row],
        created: dict[int, bool],
        tenant_id: uuid.UUID,
        job_id: uuid.UUID,
    ) -> None:
        """Record the matches of the rows just created as duplicate candidates."""
        pairs = [pair for row in rows if created.get(row.number) for pair in row.candidates]
        await candidates.store(session, tenant_id, job_id, pairs)


def _note(found: dedupe.Scored, stored: dict[uuid.UUID, Customer]) -> RowIssue:
    customer = stored.get(found.other.id) if found.other.id is not None else None
    named = f"{customer.code} {customer.legal_name!r}" if customer else f"{found.other.name!r}"
    reasons = ", ".join(f"{r.field} ({r.method})" for r in found.match.reasons[:3])
    message = (f"Not created: a likely duplicate (score {found.match.score:.2f}) of the "
               f"customer {named}, by {reasons}.")  # fmt: skip
    return RowIssue(None, RowCode.DUPLICATE, message)
