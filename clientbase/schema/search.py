"""The typeahead's hit type."""

from __future__ import annotations

import strawberry

from clientbase.schema.customer import Customer
from clientbase.services.search.service import Hit


@strawberry.type(description="A customer found by customerSearch, and why.")
class CustomerSearchHit:
    customer: Customer
    matched_on: list[str] = strawberry.field(
        description="The fields that matched, best first: legalName, tradeName, code, taxId, "
        "phone, email, contactName, contactEmail, contactPhone."
    )
    score: float = strawberry.field(
        description="1 for an exact match of a whole value, 0.6-0.9 for a prefix, at most "
        "0.5 for a name matched word by word, misspellings forgiven."
    )

    @classmethod
    def from_hit(cls, hit: Hit) -> CustomerSearchHit:
        return cls(
            customer=Customer.from_row(hit.customer), matched_on=hit.matched_on, score=hit.score
        )
