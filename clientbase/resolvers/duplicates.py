"""Duplicate fields: customerDuplicates (asked before a create), the scan, its candidates."""

from __future__ import annotations

import strawberry

from clientbase.resolvers.mutation import decode_id
from clientbase.schema.duplicates import CustomerProbe, DuplicateMatch, probe_values
from clientbase.schema.lists import Info
from clientbase.services.dedupe import service as dedupe


@strawberry.type
class DuplicateQueries:
    @strawberry.field(
        description="Does this customer exist already? The customers a probe matches in the "
        f"review band or above, best first (at most {dedupe.MAX_MATCHES}), with the reasons."
    )
    async def customer_duplicates(self, info: Info, probe: CustomerProbe) -> list[DuplicateMatch]:
        values, contacts = probe_values(probe)
        exclude = decode_id(probe.exclude_id, "Customer", "excludeId") if probe.exclude_id else None
        ctx = info.context
        async with ctx.session_lock:
            found = await dedupe.customer_duplicates(
                ctx.session, ctx.tenant_id, values, contacts, exclude
            )
        return [DuplicateMatch.from_found(f) for f in found]
