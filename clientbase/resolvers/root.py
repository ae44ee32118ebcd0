"""The root Query type and the schema built from it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from strawberry.extensions import SchemaExtension

from clientbase.resolvers.viewer import resolve_viewer
from clientbase.schema.viewer import Viewer


@strawberry.type
class Query:
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer, description="Tenant, role and scopes of the caller."
    )


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    return strawberry.Schema(query=Query, extensions=list(extensions))
