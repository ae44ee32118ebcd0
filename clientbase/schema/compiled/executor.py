"""The executor that answers compilable queries with documents PostgreSQL builds.

It runs after parsing, validation and every limit (they are extensions around execution);
for a query whose root fields all compile it sends one statement per root field on the
request's own session, so the tenant and row-level security are those of the resolver path,
and puts the JSON text into the response as it came (orjson.Fragment), never decoded.
Anything else, and any failure before a statement runs, goes to the resolvers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from graphql import GraphQLObjectType
from graphql.execution.collect_fields import DeferUsage, FieldDetails
from graphql.pyutils import AwaitableOrValue
from starlette.requests import Request
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from clientbase.schema.compiled.planner import NotCompiledError, Planner
from clientbase.services.documents.builder import Compiled, TooWideError, fetch, prepare
from clientbase.services.errors import DomainError

Prepared = tuple[str, Compiled, tuple[Any, ...]]


class CompilingExecutor(StrawberryGraphQLCoreExecutionContext):
    # Set by `compiling_executor`: the Strawberry schema, for its argument conversion.
    strawberry_schema: Any = None

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: dict[str, list[FieldDetails]],
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        statements = None if serially else self._statements(root_type, grouped_field_set)
        if statements is None:
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
        return self._documents(statements)

    def _statements(
        self, root_type: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]
    ) -> list[Prepared] | None:
        context = self.context_value
        # Websocket messages are encoded by Strawberry's own JSON encoder: HTTP only.
        if root_type is not self.schema.query_type or not isinstance(context.request, Request):
            return None
        try:
            plans = Planner(self, self.strawberry_schema).roots(root_type, grouped)
            dialect = context.session.get_bind().dialect
            return [(plan.key, *prepare(plan, dialect)) for plan in plans]
        except (NotCompiledError, DomainError, TooWideError):
            return None

    async def _documents(self, statements: list[Prepared]) -> dict[str, Any]:
        context = self.context_value
        data: dict[str, Any] = {}
        async with context.session_lock:
            for key, compiled, parameters in statements:
                text = await fetch(context.session, compiled, parameters)
                data[key] = None if text is None else orjson.Fragment(text)
        return data


def compiling_executor(strawberry_schema: Any) -> type[CompilingExecutor]:
    return type("SchemaCompilingExecutor", (CompilingExecutor,),
                {"strawberry_schema": strawberry_schema})  # fmt: skip
