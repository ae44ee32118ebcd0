"""The customerSearch typeahead field."""

from __future__ import annotations

import strawberry

from clientbase.schema.lists import Info
from clientbase.schema.search import CustomerSearchHit
from clientbase.services.search.service import MAX_RESULTS, search_customers


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description="Typeahead: the best customers for a name, code, tax id, phone or e-mail "
        "(theirs or their contacts'), ignoring case, accents and punctuation. At least three "
        f"characters; `first` at most {MAX_RESULTS}."
    )
    async def customer_search(
        self, info: Info, query: str, first: int | None = MAX_RESULTS
    ) -> list[CustomerSearchHit]:
        ctx = info.context
        size = MAX_RESULTS if first is None else first
        async with ctx.session_lock:
            hits = await search_customers(ctx.session, ctx.tenant_id, query, size)
        return [CustomerSearchHit.from_hit(hit) for hit in hits]
