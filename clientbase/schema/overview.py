"""CustomerOverview: the counts a customer 360 header shows, batched per page of customers."""

from __future__ import annotations

import uuid

import strawberry

from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info
from clientbase.services.customer.overview import Overview, overviews


@strawberry.type
class StatusCount:
    status: str
    count: int


@strawberry.type
class ProductTypeCount:
    product_type_id: strawberry.ID
    product_type_name: str
    count: int


@strawberry.type(description="How much a customer has, counted in the database.")
class CustomerOverview:
    contacts: int
    sites: int
    contracts: int
    contracts_by_status: list[StatusCount]
    items: int
    items_by_status: list[StatusCount]
    items_by_product_type: list[ProductTypeCount]

    @classmethod
    def from_counts(cls, counts: Overview) -> CustomerOverview:
        by_type = sorted(counts.items_by_product_type.items(), key=lambda kv: (-kv[1], kv[0][1]))
        return cls(
            contacts=counts.contacts,
            sites=counts.sites,
            contracts=sum(counts.contracts_by_status.values()),
            contracts_by_status=[StatusCount(status=s, count=c)
                                 for s, c in sorted(counts.contracts_by_status.items())],
            items=sum(counts.items_by_status.values()),
            items_by_status=[StatusCount(status=s, count=c)
                             for s, c in sorted(counts.items_by_status.items())],
            items_by_product_type=[
                ProductTypeCount(product_type_id=strawberry.ID(to_global_id("ProductType", tid)),
                                 product_type_name=name, count=c)
                for (tid, name), c in by_type
            ],
        )  # fmt: skip


async def overview_of(info: Info, customer_id: uuid.UUID) -> CustomerOverview:
    loader = info.context.loaders.get(("Customer", "overview"), overviews)
    return CustomerOverview.from_counts(await loader.load(customer_id))
