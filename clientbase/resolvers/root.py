"""The root Query and Mutation types, merged from each domain's fields, and the schema."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.tools import merge_types

from clientbase.resolvers.customer import CustomerMutations, CustomerQueries
from clientbase.resolvers.node import NodeQueries
from clientbase.resolvers.reference import ReferenceMutations, ReferenceQueries
from clientbase.resolvers.viewer import resolve_viewer
from clientbase.schema.audit import AuditEvent
from clientbase.schema.customer import Customer
from clientbase.schema.reference import CompanyType, CustomerCategory, ProductType
from clientbase.schema.viewer import Viewer


@strawberry.type
class ViewerQueries:
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer, description="Tenant, role and scopes of the caller."
    )


Query = merge_types("Query", (NodeQueries, ViewerQueries, CustomerQueries, ReferenceQueries))
Mutation = merge_types("Mutation", (CustomerMutations, ReferenceMutations))

# Types reachable only through the Node interface must still be in the schema.
NODE_TYPES = [Customer, AuditEvent, ProductType, CustomerCategory, CompanyType]


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, mutation=Mutation, types=NODE_TYPES, extensions=list(extensions)
    )
