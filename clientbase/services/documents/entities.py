"""The entities documents are built from: table, list query and sort order of each, by the
name its global ids carry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from clientbase import models
from clientbase.models.base import Base
from clientbase.services.contact import queries as contacts
from clientbase.services.contract import queries as contracts
from clientbase.services.customer import queries as customers
from clientbase.services.inventory import queries as inventory
from clientbase.services.query.filters import Filter
from clientbase.services.query.pagination import SortKey
from clientbase.services.site import queries as sites


@dataclass(frozen=True)
class Entity:
    model: type[Base]
    # The same statements and orders the list services page through, so pages and cursors
    # are the ones the per-field resolvers give.
    list_query: Callable[[Filter | None, str | None], Select[Any]]
    sort_keys: Callable[[list[tuple[str, bool]] | None], list[SortKey]]


def _unlisted(model: type[Base]) -> Entity:
    def refuse(_: list[tuple[str, bool]] | None) -> list[SortKey]:
        raise LookupError(f"{model.__name__} is only reached by id here")

    return Entity(model, lambda _f, _s: select(model), refuse)


ENTITIES: dict[str, Entity] = {
    "Customer": Entity(models.Customer, customers.list_query, customers.sort_keys),
    "Contact": Entity(models.Contact, contacts.list_query, contacts.sort_keys),
    "Site": Entity(models.Site, sites.list_query, sites.sort_keys),
    "Contract": Entity(models.Contract, contracts.list_query, contracts.sort_keys),
    "InventoryItem": Entity(models.InventoryItem, inventory.list_query, inventory.sort_keys),
    "CustomerCategory": _unlisted(models.CustomerCategory),
    "CompanyType": _unlisted(models.CompanyType),
    "ProductType": _unlisted(models.ProductType),
}
