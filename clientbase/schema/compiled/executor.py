"""The executor that answers compilable queries with documents PostgreSQL builds.

It runs after parsing, validation and every limit (they are extensions around execution);
for a query whose root fields all compile it sends one statement per root field on the
request's own session, so the tenant and row-level security are those of the resolver path,
and puts the JSON text into the response as it came (orjson.Fragment), never decoded.
Anything else, and any failure before a statement runs, goes to the resolvers. An
operation answered this way is remembered by its request (`operations`), so the next
identical request is answered without Strawberry.
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

from clientbase.schema.compiled.operations import CompiledOperation, OperationCache, Statement
from clientbase.schema.compiled.planner import NotCompiledError, Planner
from clientbase.services.documents.builder import TooWideError, fetch, prepare
from clientbase.services.errors import DomainError


class CompilingExecutor(StrawberryGraphQLCoreExecutionContext):
    # Set by `compiling_executor`: the Strawberry schema, for its argument conversion, and
    # the app's cache of operations answered here.
    strawberry_schema: Any = None
    operations: OperationCache | None = None

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
    ) -> list[Statement] | None:
        context = self.context_value
        # Websocket messages are encoded by Strawberry's own JSON encoder: HTTP only.
        if root_type is not self.schema.query_type or not isinstance(context.request, Request):
            return None
        try:
            plans = Planner(self, self.strawberry_schema).roots(root_type, grouped)
            dialect = context.session.get_bind().dialect
            return [Statement(plan.key, *prepare(plan, dialect)) for plan in plans]
        except (NotCompiledError, DomainError, TooWideError):
            return None

    async def _documents(self, statements: list[Statement]) -> dict[str, Any]:
        context = self.context_value
        data: dict[str, Any] = {}
        async with context.session_lock:
            for statement in statements:
                text = await fetch(context.session, statement.compiled, statement.parameters)
                data[statement.key] = None if text is None else orjson.Fragment(text)
        self._remember(statements)
        return data

    def _remember(self, statements: list[Statement]) -> None:
        context = self.context_value
        request, cost = context.operation_request, context.query_cost
        if self.operations is None or request is None or cost is None:
            return
        name = self.operation.name.value if self.operation.name else None
        operation = CompiledOperation(tuple(statements), cost, name)
        self.operations.put(request, context.principal.role.value, operation)


def compiling_executor(
    strawberry_schema: Any, operations: OperationCache | None = None
) -> type[CompilingExecutor]:
    return type("SchemaCompilingExecutor", (CompilingExecutor,),
                {"strawberry_schema": strawberry_schema, "operations": operations})  # fmt: skip
