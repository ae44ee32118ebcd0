"""Hypothesis strategies for queries inside the compiled subset: customers with their
scalars, address, category and pages of contacts, sites, contracts and inventory, written
with aliases, named and inline fragments, @include/@skip and __typename."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

SCALARS = {
    "Customer": ["id", "code", "kind", "legalName", "tradeName", "taxId", "taxIdCountry",
                 "birthDate", "email", "phone", "website", "status", "externalRef",
                 "customFields", "version", "createdAt", "updatedAt", "__typename"],
    "Contact": ["id", "firstName", "lastName", "fullName", "email", "phone", "jobTitle",
                "isPrimary", "version", "createdAt", "updatedAt", "__typename"],
    "Site": ["id", "name", "version", "createdAt", "updatedAt", "__typename"],
    "Contract": ["id", "number", "title", "status", "startsOn", "endsOn", "version",
                 "createdAt", "__typename"],
    "InventoryItem": ["id", "serialNumber", "description", "notes", "status", "version",
                      "updatedAt", "__typename"],
    "ProductType": ["id", "name", "kind", "version", "__typename"],
    "CustomerCategory": ["id", "name", "version", "__typename"],
    "Address": ["line1", "line2", "number", "city", "region", "postalCode", "country",
                "__typename"],
}  # fmt: skip
# field -> (type, kind): "one" objects, "page" connections
RELATIONS = {
    "Customer": {"address": ("Address", "one"), "category": ("CustomerCategory", "one"),
                 "contacts": ("Contact", "page"), "sites": ("Site", "page"),
                 "contracts": ("Contract", "page"), "inventory": ("InventoryItem", "page")},
    "Contact": {"customer": ("Customer", "one")},
    "Site": {"address": ("Address", "one"), "inventory": ("InventoryItem", "page")},
    "Contract": {"customer": ("Customer", "one"), "inventory": ("InventoryItem", "page")},
    "InventoryItem": {"productType": ("ProductType", "one"), "site": ("Site", "one"),
                      "contract": ("Contract", "one")},
}  # fmt: skip
ORDERS = {"Contact": ["FULL_NAME", "UPDATED_AT", "CREATED_AT"], "Site": ["NAME", "CREATED_AT"],
          "Contract": ["NUMBER", "STATUS", "CREATED_AT"]}  # fmt: skip
CUSTOMER_FILTERS = [
    "filter: {status: {eq: ACTIVE}}",
    "filter: {status: {in: [ACTIVE, MERGED]}}",
    'filter: {legalName: {contains: "a"}}',
    'search: "e"',
    'filter: {or: [{code: {startsWith: "Z"}}, {city: {isNull: false}}]}',
]
PAGE_INFO = ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"]


@dataclass
class Document:
    """Fragment definitions gathered while drawing."""

    fragments: list[str] = field(default_factory=list)

    def text(self, body: str) -> str:
        # Fragments and the variable only when used: either unused is a validation error.
        by_name = {f.split()[1]: f for f in self.fragments}
        used: dict[str, str] = {}
        pending = re.findall(r"\.\.\.(F\d+)\b", body)
        while pending:
            name = pending.pop()
            if name not in used:
                used[name] = by_name[name]
                pending += re.findall(r"\.\.\.(F\d+)\b", by_name[name])
        text = " ".join([body, *used.values()])
        header = "query Q($flag: Boolean!)" if "$flag" in text else "query Q"
        return "\n".join([f"{header} {{ {body} }}", *used.values()])


def _alias(draw: Any, name: str) -> str:
    return f"{draw(st.sampled_from(['a', 'b', 'x']))}_{name}: {name}" if draw(st.booleans()) \
        else name  # fmt: skip


def _directive(draw: Any, doc: Document) -> str:
    return str(draw(st.sampled_from(["", "", "", "@include(if: $flag)", "@skip(if: $flag)"])))


@st.composite
def selection(draw: Any, type_name: str, doc: Document, depth: int) -> str:
    scalars = draw(st.lists(st.sampled_from(SCALARS[type_name]), min_size=1, max_size=6,
                            unique=True))  # fmt: skip
    parts = [f"{_alias(draw, name)} {_directive(draw, doc)}".strip() for name in scalars]
    relations = RELATIONS.get(type_name, {}) if depth > 0 else {}
    if relations:
        chosen = draw(st.lists(st.sampled_from(sorted(relations)), max_size=3, unique=True))
        for name in chosen:
            target, kind = relations[name]
            inner = draw(selection(target, doc, depth - 1))
            if kind == "one":
                parts.append(f"{_alias(draw, name)} {{ {inner} }}")
            else:
                parts.append(f"{_alias(draw, name)}{draw(page_arguments(target))} "
                             f"{{ {draw(connection(inner, doc))} }}")  # fmt: skip
    if type_name == "Customer" and depth > 0 and draw(st.booleans()):
        parts.append(f"{_alias(draw, 'overview')} {{ {draw(overview())} }}")
    draw(st.randoms()).shuffle(parts)
    wrap = draw(st.sampled_from(["plain", "plain", "inline", "named"]))
    if wrap == "inline":
        return f"... on {type_name} {{ {' '.join(parts)} }}"
    if wrap == "named":
        name = f"F{len(doc.fragments)}"
        doc.fragments.append(f"fragment {name} on {type_name} {{ {' '.join(parts)} }}")
        return f"...{name}"
    return " ".join(parts)


OVERVIEW = {
    "contacts": None,
    "sites": None,
    "contracts": None,
    "items": None,
    "__typename": None,
    "contractsByStatus": ["status", "count", "__typename"],
    "itemsByStatus": ["count", "status"],
    "itemsByProductType": ["productTypeId", "productTypeName", "count", "__typename"],
}


@st.composite
def overview(draw: Any) -> str:
    chosen = draw(st.lists(st.sampled_from(sorted(OVERVIEW)), min_size=1, max_size=5,
                           unique=True))  # fmt: skip
    parts = []
    for name in chosen:
        fields = OVERVIEW[name]
        if fields is None:
            parts.append(_alias(draw, name))
        else:
            picked = draw(st.lists(st.sampled_from(fields), min_size=1, unique=True))
            parts.append(f"{_alias(draw, name)} {{ {' '.join(picked)} }}")
    return " ".join(parts)


@st.composite
def page_arguments(draw: Any, type_name: str) -> str:
    arguments = []
    first = draw(st.one_of(st.none(), st.integers(0, 4)))
    if first is not None:
        arguments.append(f"first: {first}")
    if type_name in ORDERS and draw(st.booleans()):
        order = draw(st.sampled_from(ORDERS[type_name]))
        direction = draw(st.sampled_from(["ASC", "DESC"]))
        arguments.append(f"orderBy: [{{field: {order}, direction: {direction}}}]")
    if type_name == "InventoryItem" and draw(st.booleans()):
        arguments.append("filter: {status: {eq: ACTIVE}}")
    return f"({', '.join(arguments)})" if arguments else ""


@st.composite
def connection(draw: Any, node_selection: str, doc: Document) -> str:
    pieces = []
    if draw(st.booleans()):
        pieces.append(f"{_alias(draw, 'totalCount')} {_directive(draw, doc)}".strip())
    if draw(st.booleans()):
        flags = draw(st.lists(st.sampled_from(PAGE_INFO), min_size=1, max_size=4, unique=True))
        pieces.append(f"pageInfo {{ {' '.join(flags)} }}")
    if draw(st.booleans()):
        pieces.append(f"nodes {{ {node_selection} }}")
    if draw(st.booleans()) or not pieces:
        cursor = "cursor " if draw(st.booleans()) else ""
        pieces.append(f"edges {{ {cursor}node {{ {node_selection} }} }}")
    if draw(st.booleans()):
        pieces.append("__typename")
    return " ".join(pieces)


@st.composite
def customer_query(draw: Any, codes: list[str], ids: list[str]) -> tuple[str, dict[str, Any]]:
    """A whole operation and its variables."""
    doc = Document()
    roots = []
    for index in range(draw(st.integers(1, 2))):
        inner = draw(selection("Customer", doc, depth=2))
        kind = draw(st.sampled_from(["customers", "customers", "byCode", "node"]))
        if kind == "customers":
            args = [f"first: {draw(st.integers(0, 6))}"]
            if draw(st.booleans()):
                order = draw(st.sampled_from(["CODE", "LEGAL_NAME", "CREATED_AT"]))
                direction = draw(st.sampled_from(["ASC", "DESC"]))
                args.append(f"orderBy: [{{field: {order}, direction: {direction}}}]")
            if draw(st.booleans()):
                args.append("filter: {status: {eq: ACTIVE}}")
            roots.append(f"r{index}: customers({', '.join(args)}) "
                         f"{{ {draw(connection(inner, doc))} }}")  # fmt: skip
        elif kind == "byCode":
            code = draw(st.sampled_from([*codes, "NO-SUCH-CODE"]))
            roots.append(f'r{index}: customerByCode(code: "{code}") {{ {inner} }}')
        else:
            node_id = draw(st.sampled_from(ids))
            roots.append(f'r{index}: node(id: "{node_id}") {{ __typename ... on Customer '
                         f"{{ {inner} }} }}")  # fmt: skip
    text = doc.text(" ".join(roots))
    return text, {"flag": draw(st.booleans())} if "$flag" in text else {}
