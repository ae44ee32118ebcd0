"""Turn the collected fields of a query into document plans, or refuse.

Fields are collected by graphql-core itself (fragments, inline fragments, @skip/@include,
merged response keys), so the plan has exactly the keys and order the resolver path gives.
Anything unknown raises `NotCompiled` and the whole operation takes the resolver path.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    get_named_type,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from strawberry.types.arguments import convert_arguments

from clientbase.schema.common import order_pairs, page_request
from clientbase.schema.compiled import fields as f
from clientbase.schema.filters import filter_tree
from clientbase.schema.ids import InvalidGlobalIdError, from_global_id
from clientbase.services.documents import plan as p
from clientbase.services.errors import DomainError

Details = list[FieldDetails]
PAGE_INFO_FLAGS = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})


class NotCompiledError(Exception):
    """The operation needs the resolver path."""


class Planner:
    def __init__(self, executor: Executor[Any], strawberry_schema: Any) -> None:
        self.executor = executor
        self.schema = executor.schema
        self.strawberry_schema = strawberry_schema

    def roots(self, root_type: GraphQLObjectType, grouped: dict[str, Details]) -> list[p.Root]:
        plans: list[p.Root] = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            spec = f.ROOTS.get(name)
            field = root_type.fields.get(name)
            if spec is None or field is None:
                raise NotCompiledError(name)
            arguments = self._arguments(field, details)
            if isinstance(spec, f.Pages):
                plans.append(self._page(key, spec, field, details, arguments))
            elif isinstance(spec, f.ByColumn):
                runtime = self._object_type(spec.entity)
                parts = self._object(runtime, details)
                value = arguments[spec.argument]
                plans.append(p.One(key, spec.entity, spec.column, value, parts))
            else:
                plans.append(self._node(key, details, arguments["id"]))
        return plans

    def _node(self, key: str, details: Details, global_id: str) -> p.One:
        try:
            type_name, row_id = from_global_id(global_id)
        except InvalidGlobalIdError as exc:
            raise NotCompiledError("node id") from exc
        if type_name not in f.TYPES:
            raise NotCompiledError(type_name)
        parts = self._object(self._object_type(type_name), details)
        return p.One(key, type_name, "id", row_id, parts)

    def _object_type(self, name: str) -> GraphQLObjectType:
        found = self.schema.get_type(name)
        assert isinstance(found, GraphQLObjectType)
        return found

    def _collect(self, parent: GraphQLObjectType, details: Details) -> dict[str, Details]:
        collected = self.executor.collect_subfields(parent, details)
        return collected.grouped_field_set

    def _arguments(self, field: GraphQLField, details: Details) -> dict[str, Any]:
        first = details[0]
        return get_argument_values(field, first.node, self.executor.variable_values,
                                   first.fragment_variable_values)  # fmt: skip

    def _object(self, parent: GraphQLObjectType, details: Details) -> tuple[p.Part, ...]:
        specs = f.TYPES.get(parent.name)
        if specs is None:
            raise NotCompiledError(parent.name)
        parts: list[p.Part] = []
        for key, field_details in self._collect(parent, details).items():
            name = field_details[0].node.name.value
            if name == "__typename":
                parts.append(p.Constant(key, parent.name))
                continue
            spec = specs.get(name)
            if spec is None:
                raise NotCompiledError(f"{parent.name}.{name}")
            parts.append(self._field(key, spec, parent.fields[name], field_details))
        return tuple(parts)

    def _field(self, key: str, spec: f.Spec, field: GraphQLField, details: Details) -> p.Part:
        if isinstance(spec, f.Column):
            return p.Value(key, spec.column, spec.kind)
        if isinstance(spec, f.Id):
            return p.GlobalId(key)
        named = get_named_type(field.type)
        assert isinstance(named, GraphQLObjectType)
        if isinstance(spec, f.Address):
            return self._address(key, named, details)
        if isinstance(spec, f.Overview):
            return self._overview(key, named, details)
        if isinstance(spec, f.ToOne):
            return p.ToOne(key, spec.entity, spec.column, self._object(named, details))
        return self._page(key, spec, field, details, self._arguments(field, details))

    def _address(self, key: str, address: GraphQLObjectType, details: Details) -> p.Group:
        columns = tuple(f"address_{name}" for name in f.ADDRESS_COLUMNS)
        parts: list[p.Part] = []
        for sub_key, sub_details in self._collect(address, details).items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                parts.append(p.Constant(sub_key, address.name))
            else:
                parts.append(p.Value(sub_key, "address_" + _snake(name)))
        return p.Group(key, columns, tuple(parts))

    def _overview(self, key: str, counts: GraphQLObjectType, details: Details) -> p.Overview:
        parts: list[p.Count | p.Breakdown | p.Constant] = []
        for sub_key, sub_details in self._collect(counts, details).items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                parts.append(p.Constant(sub_key, counts.name))
            elif name in f.OVERVIEW_COUNTS:
                parts.append(p.Count(sub_key, name))
            elif name in f.OVERVIEW_BREAKDOWNS:
                row = get_named_type(counts.fields[name].type)
                assert isinstance(row, GraphQLObjectType)
                fields: list[p.Value | p.Constant] = []
                for field_key, field_details in self._collect(row, sub_details).items():
                    field_name = field_details[0].node.name.value
                    fields.append(p.Constant(field_key, row.name) if field_name == "__typename"
                                  else p.Value(field_key, field_name))  # fmt: skip
                parts.append(p.Breakdown(sub_key, name, tuple(fields)))
            else:
                raise NotCompiledError(f"{counts.name}.{name}")
        return p.Overview(key, tuple(parts))

    def _page(
        self, key: str, spec: f.Pages, field: GraphQLField, details: Details,
        arguments: dict[str, Any],
    ) -> p.Page:  # fmt: skip
        given = {name for name, value in arguments.items() if value is not None}
        if given - spec.arguments:
            raise NotCompiledError(f"arguments {sorted(given - spec.arguments)}")
        try:
            page = page_request(arguments.get("first"), arguments.get("after"),
                                arguments.get("last"), arguments.get("before"))  # fmt: skip
            converted = self._converted(field, arguments) if given - f.PAGE else {}
            tree = filter_tree(converted.get("filter"))
            order = tuple(order_pairs(converted.get("order_by")))
        except DomainError as exc:  # the resolver path reports it
            raise NotCompiledError(str(exc)) from exc
        connection = get_named_type(field.type)
        assert isinstance(connection, GraphQLObjectType)
        parts = tuple(self._page_parts(connection, details))
        return p.Page(key, spec.entity, page, parts, spec.parent_column, tree or None, order,
                      converted.get("search"))  # fmt: skip

    def _converted(self, field: GraphQLField, arguments: dict[str, Any]) -> dict[str, Any]:
        """Arguments as the resolvers receive them: input types as their dataclasses."""
        definition = field.extensions["strawberry-definition"]
        schema = self.strawberry_schema
        return convert_arguments(arguments, definition.arguments,
                                 scalar_registry=schema.schema_converter.scalar_registry,
                                 config=schema.config)  # fmt: skip

    def _page_parts(self, connection: GraphQLObjectType, details: Details) -> list[p.PagePart]:
        parts: list[p.PagePart] = []
        for key, field_details in self._collect(connection, details).items():
            name = field_details[0].node.name.value
            if name == "__typename":
                parts.append(p.Constant(key, connection.name))
            elif name == "totalCount":
                parts.append(p.TotalCount(key))
            elif name == "pageInfo":
                parts.append(self._page_info(key, connection, field_details))
            elif name == "nodes":
                node = get_named_type(connection.fields[name].type)
                assert isinstance(node, GraphQLObjectType)
                parts.append(p.Nodes(key, self._object(node, field_details)))
            elif name == "edges":
                parts.append(self._edges(key, connection, field_details))
            else:
                raise NotCompiledError(f"{connection.name}.{name}")
        return parts

    def _page_info(self, key: str, connection: GraphQLObjectType, details: Details) -> p.PageInfo:
        info = get_named_type(connection.fields["pageInfo"].type)
        assert isinstance(info, GraphQLObjectType)
        flags: list[p.PageFlag | p.Constant] = []
        for flag_key, flag_details in self._collect(info, details).items():
            name = flag_details[0].node.name.value
            if name == "__typename":
                flags.append(p.Constant(flag_key, info.name))
            elif name in PAGE_INFO_FLAGS:
                flags.append(p.PageFlag(flag_key, name))
            else:
                raise NotCompiledError(f"PageInfo.{name}")
        return p.PageInfo(key, tuple(flags))

    def _edges(self, key: str, connection: GraphQLObjectType, details: Details) -> p.Edges:
        edge = get_named_type(connection.fields["edges"].type)
        assert isinstance(edge, GraphQLObjectType)
        pieces: list[p.Cursor | p.EdgeNode | p.Constant] = []
        for piece_key, piece_details in self._collect(edge, details).items():
            name = piece_details[0].node.name.value
            if name == "__typename":
                pieces.append(p.Constant(piece_key, edge.name))
            elif name == "cursor":
                pieces.append(p.Cursor(piece_key))
            else:
                node = get_named_type(edge.fields[name].type)
                assert isinstance(node, GraphQLObjectType)
                pieces.append(p.EdgeNode(piece_key, self._object(node, piece_details)))
        return p.Edges(key, tuple(pieces))


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
