"""Merge types: the fields a survivor may take from a merged customer, and the CustomerMerge
node (who went into whom, APPLIED or UNDONE)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from clientbase import models
from clientbase.models.customer_merge import MergeStatus as MergeStatusValue
from clientbase.schema.common import Node
from clientbase.schema.customer import Customer
from clientbase.schema.ids import to_global_id
from clientbase.schema.lists import Info, by_id, by_ids
from clientbase.schema.node import register_node
from clientbase.services.merge.plan import OverrideField

CustomerMergeField = strawberry.enum(
    OverrideField,
    name="CustomerMergeField",
    description="Identity fields a survivor may take from a merged customer: ADDRESS is the "
    "whole address, TAX_ID the number with its country.",
)
CustomerMergeStatus = strawberry.enum(MergeStatusValue, name="CustomerMergeStatus")


@strawberry.input(description="Take `field` from the merged customer `fromId`.")
class CustomerMergeOverride:
    field: CustomerMergeField  # type: ignore[valid-type]
    from_id: strawberry.ID


@strawberry.type(description="A merge of customers into a survivor; undone by its id.")
class CustomerMerge(Node):
    row: strawberry.Private[models.CustomerMerge]
    status: CustomerMergeStatus  # type: ignore[valid-type]
    created_at: dt.datetime
    undone_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: models.CustomerMerge) -> CustomerMerge:
        return cls(
            id=merge_id(row.id),
            row=row,
            status=MergeStatusValue(row.status),
            created_at=row.created_at,
            undone_at=row.undone_at,
        )

    @strawberry.field
    async def survivor(self, info: Info) -> Customer | None:
        return await by_id(info, models.Customer, self.row.survivor_id, Customer.from_row)

    @strawberry.field(description="The customers merged into the survivor, in the order given.")
    async def merged(self, info: Info) -> list[Customer | None]:
        return await by_ids(info, models.Customer, list(self.row.merged_ids), Customer.from_row)


def merge_id(row_id: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(to_global_id("CustomerMerge", row_id))


async def _load(info: Info, ids: list[uuid.UUID]) -> list[Any]:
    return await by_ids(info, models.CustomerMerge, ids, CustomerMerge.from_row)


register_node("CustomerMerge", _load)
