"""Limits on what one GraphQL request may ask: directives, list sizes, document size and a
static cost (objects x page sizes) spent from the caller's budget.

Depth, alias and token limits are Strawberry's own extensions; the rules here cover what
it lacks. Every rejection is a GraphQL error whose message names the setting and whose
`extensions.code` is LIMIT_EXCEEDED, raised before any resolver runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)
from graphql.language import Node
from strawberry.extensions import SchemaExtension

from clientbase.core.config import Settings
from clientbase.services.query.pagination import DEFAULT_PAGE

LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
# A list field with neither a page size nor a list of ids to size it (e.g. counts by status).
UNSIZED_LIST = 10
# Types that only wrap what the page size already counts.
WRAPPER_SUFFIXES = ("Edge", "PageInfo")


def limit_error(message: str, limit: str, **details: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": LIMIT_EXCEEDED, "limit": limit, **details})


def directives_rule(maximum: int) -> type[ValidationRule]:
    """At most `maximum` directives on one field, fragment or operation (directive
    overloading is otherwise bounded only by the token limit)."""

    class MaxDirectivesRule(ValidationRule):
        def _check(self, node: Any, what: str) -> None:
            directives: tuple[DirectiveNode, ...] = node.directives or ()
            if len(directives) > maximum:
                self.report_error(
                    limit_error(
                        f"{what} has {len(directives)} directives; the limit is {maximum} "
                        "(max_directives_per_field).",
                        "max_directives_per_field",
                    )
                )

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            self._check(node, f"Field '{node.name.value}'")

        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
            self._check(node, f"Fragment spread '{node.name.value}'")

        def enter_inline_fragment(self, node: InlineFragmentNode, *_: Any) -> None:
            self._check(node, "An inline fragment")

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            self._check(node, "The operation")

    return MaxDirectivesRule


def list_literal_rule(maximum: int) -> type[ValidationRule]:
    """List values written in the document hold at most `maximum` items (variables are
    checked by `QueryLimits`, which sees them)."""

    class MaxListLiteralRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)

        def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
            if len(node.values) > maximum:
                self.report_error(
                    limit_error(
                        f"A list argument has {len(node.values)} items; the limit is {maximum} "
                        "(max_list_input).",
                        "max_list_input",
                    )
                )

    return MaxListLiteralRule


def longest_list(value: Any, depth: int = 0) -> int:
    """The length of the longest list anywhere inside a variables value."""
    if depth > 32:  # variables this deep fail their type check anyway
        return 0
    if isinstance(value, list):
        return max([len(value), *(longest_list(v, depth + 1) for v in value)])
    if isinstance(value, dict):
        return max((longest_list(v, depth + 1) for v in value.values()), default=0)
    return 0


class QueryCost:
    """The static cost of an operation: how many objects it may return, each page size
    multiplying the objects below it. Connections and their nodes count; edges and page
    info, which only wrap them, do not; leaves are free."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any] | None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = dict(variables or {})

    def of_operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        return self._selections(operation.selection_set, root, 1, frozenset())

    def _selections(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        multiplier: int,
        seen: frozenset[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                on = self._type(selection.type_condition.name.value if selection.type_condition
                                else None, parent)  # fmt: skip
                total += self._selections(selection.selection_set, on, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # cycles are a validation error anyway
                    continue
                on = self._type(fragment.type_condition.name.value, parent)
                total += self._selections(fragment.selection_set, on, multiplier, seen | {name})
        return total

    def _type(
        self, name: str | None, default: GraphQLObjectType | GraphQLInterfaceType
    ) -> GraphQLObjectType | GraphQLInterfaceType:
        found = self.schema.get_type(name) if name else None
        return found if isinstance(found, GraphQLObjectType | GraphQLInterfaceType) else default

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        multiplier: int,
        seen: frozenset[str],
    ) -> int:
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named) or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        arguments = self._arguments(node)
        page = self._page_size(definition.args, arguments)
        if _is_list(definition.type):
            if page is not None:
                count, below = page, page
            elif parent.name.endswith(("Connection", "Edge")):
                count, below = 1, 1  # the connection's page size already counted them
            else:
                count = below = next(
                    (len(v) for v in arguments.values() if isinstance(v, list)), UNSIZED_LIST
                )
        else:
            count, below = 1, page or 1
        objects = 0 if named.name.endswith(WRAPPER_SUFFIXES) else multiplier * count
        return objects + self._selections(node.selection_set, named, multiplier * below, seen)

    def _arguments(self, node: FieldNode) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for argument in node.arguments or ():
            if isinstance(argument.value, VariableNode):
                values[argument.name.value] = self.variables.get(argument.value.name.value)
            else:
                values[argument.name.value] = value_from_ast_untyped(argument.value)
        return values

    @staticmethod
    def _page_size(definitions: Mapping[str, Any], arguments: Mapping[str, Any]) -> int | None:
        if "first" not in definitions and "last" not in definitions:
            return None
        for name in ("first", "last"):
            value = arguments.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 0)
        default = definitions["first"].default_value if "first" in definitions else None
        return default if isinstance(default, int) else DEFAULT_PAGE


def _is_list(type_: GraphQLType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def operation_of(document: Node, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in getattr(document, "definitions", ())
                  if isinstance(d, OperationDefinitionNode)]  # fmt: skip
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == operation_name), None)


class DocumentSizeLimiter(SchemaExtension):
    """Refuse a document longer than `maximum` characters before it is parsed."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        if len(query) > self.maximum:
            raise limit_error(
                f"The document has {len(query)} characters; the limit is {self.maximum} "
                "(max_document_chars).",
                "max_document_chars",
            )
        yield


class QueryLimits(SchemaExtension):
    """Between validation and execution: list sizes in variables, then the operation's cost
    against the limit and the caller's budget; the cost goes to `extensions.cost`."""

    def __init__(self, *, max_list_input: int, max_cost: int) -> None:
        self.max_list_input = max_list_input
        self.max_cost = max_cost
        self.cost: int | None = None
        self.remaining: int | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        # Raised before execution, the error ends the request as a request error (no data).
        error = await self._check()
        if error is not None:
            raise error
        yield

    async def _check(self) -> GraphQLError | None:
        context = self.execution_context
        longest = longest_list(context.variables or {})
        if longest > self.max_list_input:
            return limit_error(
                f"A list in the variables has {longest} items; the limit is "
                f"{self.max_list_input} (max_list_input).",
                "max_list_input",
            )
        document = context.graphql_document
        operation = operation_of(document, context.operation_name) if document else None
        if operation is None:
            return None
        fragments = {d.name.value: d for d in getattr(document, "definitions", ())
                     if isinstance(d, FragmentDefinitionNode)}  # fmt: skip
        schema = context.schema._schema
        self.cost = QueryCost(schema, fragments, context.variables).of_operation(operation)
        if self.cost > self.max_cost:
            return limit_error(
                f"The query may return {self.cost} objects; the limit is {self.max_cost} "
                "(max_query_cost). Ask for smaller pages or fewer nested lists.",
                "max_query_cost",
                cost=self.cost,
            )
        ctx = context.context
        if hasattr(ctx, "query_cost"):  # the compiled path remembers it
            ctx.query_cost = self.cost
        budget = getattr(ctx, "cost_budget", None)
        if budget is None:
            return None
        verdict = await budget(ctx.principal, self.cost)
        self.remaining = verdict.remaining
        if not verdict.allowed:
            wait = verdict.retry_after_seconds
            when = f"retry in {wait:.0f} s" if wait != float("inf") else "it exceeds the budget"
            return limit_error(
                f"The query costs {self.cost} and the caller's budget has {verdict.remaining} "
                f"left (query_cost_per_minute); {when}.",
                "query_cost_per_minute",
                cost=self.cost,
                retryAfterSeconds=round(wait, 1) if wait != float("inf") else None,
            )
        return None

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        cost: dict[str, Any] = {"requested": self.cost, "maximum": self.max_cost}
        if self.remaining is not None:
            cost["remaining"] = self.remaining
        return {"cost": cost}


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """The query limits of `settings` as extension factories. The validation rules are built
    once: the validation cache is keyed by the rule classes."""
    from graphql.validation import NoSchemaIntrospectionCustomRule
    from strawberry.extensions import (
        AddValidationRules,
        MaxAliasesLimiter,
        MaxTokensLimiter,
        QueryDepthLimiter,
    )

    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        directives_rule(settings.max_directives_per_field),
        list_literal_rule(settings.max_list_input),
    ]
    if not settings.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        lambda: DocumentSizeLimiter(settings.max_document_chars),
        lambda: MaxTokensLimiter(settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: QueryLimits(
            max_list_input=settings.max_list_input, max_cost=settings.max_query_cost
        ),
    ]
