"""The documentation stays true: every GraphQL example in README.md and docs/ is valid against
the schema and its limits and runs without errors, docs/operators.md lists every setting with
its default, and the guides' links lead somewhere."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    parse,
    specified_rules,
    type_from_ast,
    validate,
)
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from clientbase.core.config import Settings
from clientbase.core.db import Database
from clientbase.resolvers.root import build_schema
from clientbase.schema.ids import to_global_id
from clientbase.schema.limits import QueryCost, directives_rule, list_literal_rule
from clientbase.services.auth.principal import Role
from tests.helpers import committed_tenant

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
GUIDES = ("spa.md", "partners.md", "operations.md", "operators.md")
SCHEMA = build_schema()._schema
# A fenced block: its info string ("graphql", "graphql partial", ...) and its text.
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```", re.M | re.S)
# Flags after "graphql": `partial` is a fragment of a document, never checked; `pending` is
# part of the API contract not built yet: checked once the schema has it.
PARTIAL, PENDING = "partial", "pending"


@dataclass(frozen=True)
class Snippet:
    path: Path
    line: int
    flags: frozenset[str]
    source: str

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def graphql_snippets() -> list[Snippet]:
    found = []
    for path in DOCS:
        text = path.read_text()
        for match in FENCE.finditer(text):
            language, *flags = match["info"].split() or [""]
            if language == "graphql":
                line = text.count("\n", 0, match.start()) + 1
                found.append(Snippet(path, line, frozenset(flags), match["body"]))
    return found


SNIPPETS = [s for s in graphql_snippets() if PARTIAL not in s.flags]


def default(name: str) -> Any:
    """A setting's default as the code declares it, whatever the environment says."""
    field = Settings.model_fields[name]
    return field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]


def problems(snippet: Snippet) -> list[str]:
    """What the API would refuse in the snippet before running it, with the default limits."""
    if len(snippet.source) > default("max_document_chars"):
        return [f"over {default('max_document_chars')} characters"]
    try:
        document = parse(snippet.source, max_tokens=default("max_tokens"))
    except GraphQLError as error:
        return [error.message]
    rules = [
        *specified_rules,
        *QueryDepthLimiter(max_depth=default("max_query_depth")).validation_rules,
        *MaxAliasesLimiter(max_alias_count=default("max_aliases")).validation_rules,
        directives_rule(default("max_directives_per_field")),
        list_literal_rule(default("max_list_input")),
    ]
    errors = [error.message for error in validate(SCHEMA, document, rules)]
    if errors:
        return errors
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}  # fmt: skip
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            cost = QueryCost(SCHEMA, fragments, None).of_operation(operation)
            if cost > default("max_query_cost"):
                errors.append(f"costs {cost}, over {default('max_query_cost')}")
    return errors


# What a pending example may meet before its part of the contract is built: a root field or
# an enum value the schema does not have yet. Anything else fails, so that the example is
# checked against what was built as soon as it exists.
NOT_BUILT = re.compile(
    r"Cannot query field '\w+' on type '(Query|Mutation|Subscription)'"
    r"|Value '\w+' does not exist in '\w+' enum"
)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: s.name)
def test_graphql_example_is_valid(snippet: Snippet) -> None:
    found = problems(snippet)
    if found and PENDING in snippet.flags and all(NOT_BUILT.match(p) for p in found):
        pytest.skip(f"not in the schema yet: {found[0]}")
    assert not found, f"{snippet.name}: {found}"


def placeholder_variables(operation: OperationDefinitionNode) -> dict[str, Any]:
    """A value for each required variable, enough to run the operation: an id of nothing."""
    samples = {"ID": to_global_id("Customer", uuid.uuid4()), "String": "x", "Int": 1,
               "Float": 1.0, "Boolean": False}  # fmt: skip
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.type, NonNullTypeNode):
            kind = get_named_type(type_from_ast(SCHEMA, definition.type))
            values[definition.variable.name.value] = samples.get(kind.name if kind else "", "x")
    return values


RUNNABLE = [s for s in SNIPPETS if not problems(s)
            and not any(isinstance(d, OperationDefinitionNode)
                        and d.operation is OperationType.SUBSCRIPTION
                        for d in parse(s.source).definitions)]  # fmt: skip


@pytest.mark.parametrize("snippet", RUNNABLE, ids=lambda s: s.name)
async def test_graphql_example_runs(
    snippet: Snippet, client: httpx.AsyncClient, database: Database
) -> None:
    """As an admin of a new tenant: the example may answer userErrors (ids of nothing), but
    never a top-level error: no masked failure, no limit, no refused argument."""
    caller = await committed_tenant(database, Role.ADMIN)
    operation = next(d for d in parse(snippet.source).definitions
                     if isinstance(d, OperationDefinitionNode))  # fmt: skip
    response = await client.post(
        "/graphql",
        json={"query": snippet.source, "variables": placeholder_variables(operation)},
        headers=caller.headers,
    )
    assert response.status_code == 200, f"{snippet.name}: {response.text}"
    body = response.json()
    assert "errors" not in body, f"{snippet.name}: {body['errors']}"
    assert body["data"], snippet.name


def test_snippets_are_found() -> None:
    """The extraction itself: each guide has GraphQL examples, and a broken one would fail."""
    by_file = {s.path.name for s in SNIPPETS}
    assert {"spa.md", "partners.md", "operations.md", "README.md"} <= by_file
    broken = Snippet(ROOT / "docs" / "spa.md", 0, frozenset(), "{ viewer { nope } }")
    assert problems(broken)[0].startswith("Cannot query field 'nope' on type 'Viewer'.")
    deep = "{ customers { nodes { " + "contacts { nodes { customer { " * 4 + "code" + " }" * 15
    assert any("depth" in p for p in problems(Snippet(ROOT, 0, frozenset(), deep)))


# A row of a settings table: | `CLIENTBASE_NAME` | default | meaning |
SETTING_ROW = re.compile(r"^\| `CLIENTBASE_([A-Z0-9_]+)` \| ([^|]*) \| ([^|]*\S[^|]*)\|$", re.M)


def rendered(value: Any) -> str:
    """A default as docs/operators.md writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def test_operators_guide_lists_every_setting_with_its_default() -> None:
    text = (ROOT / "docs" / "operators.md").read_text()
    rows = {name.lower(): (cell, meaning) for name, cell, meaning in SETTING_ROW.findall(text)}
    fields = set(Settings.model_fields)
    missing = sorted(f"CLIENTBASE_{name.upper()}" for name in fields - set(rows))
    assert not missing, f"add these settings to docs/operators.md: {missing}"
    stale = sorted(f"CLIENTBASE_{name.upper()}" for name in set(rows) - fields)
    assert not stale, f"docs/operators.md lists settings that do not exist: {stale}"
    for name, (cell, _meaning) in rows.items():
        value = default(name)
        expected = "unset" if value is None else f"`{rendered(value)}`"
        assert expected in cell, f"CLIENTBASE_{name.upper()}: default {expected}, docs say {cell}"


LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    text = FENCE.sub("", path.read_text())
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_links_between_guides_lead_somewhere() -> None:
    readme = (ROOT / "README.md").read_text()
    for guide in GUIDES:
        assert f"(docs/{guide})" in readme, f"README.md does not link docs/{guide}"
    for path in DOCS:
        for match in LINK.finditer(FENCE.sub("", path.read_text())):
            target = match["target"]
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            assert linked.exists(), f"{path.name}: {target} does not exist"
            if anchor and linked.suffix == ".md":
                assert anchor in anchors(linked), f"{path.name}: no heading for {target}"
