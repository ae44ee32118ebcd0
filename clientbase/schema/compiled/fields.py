"""Which GraphQL fields the compiled path knows, per type, and what each one is in the
database. A field missing here sends its whole query down the resolver path."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.utils.str_converters import to_camel_case

ADDRESS_COLUMNS = ("line1", "line2", "number", "city", "region", "postal_code", "country")


@dataclass(frozen=True)
class Column:
    column: str
    kind: str = "plain"


@dataclass(frozen=True)
class Id:
    pass


@dataclass(frozen=True)
class Address:
    """The flattened address_* columns as one Address object."""


@dataclass(frozen=True)
class Overview:
    """Customer.overview: counts and breakdowns of the customer's children."""


@dataclass(frozen=True)
class ToOne:
    entity: str
    column: str


@dataclass(frozen=True)
class Pages:
    """A connection of `entity`; `arguments` are those the compiled path can honour."""

    entity: str
    parent_column: str | None
    arguments: frozenset[str]


@dataclass(frozen=True)
class ByColumn:
    """A root field answering the one row whose `column` equals the argument."""

    entity: str
    column: str
    argument: str


@dataclass(frozen=True)
class NodeById:
    pass


Spec = Column | Id | Address | Overview | ToOne | Pages

OVERVIEW_COUNTS = frozenset({"contacts", "sites", "contracts", "items"})
OVERVIEW_BREAKDOWNS = frozenset({"contractsByStatus", "itemsByStatus", "itemsByProductType"})


def _columns(*names: str) -> dict[str, Spec]:
    found: dict[str, Spec] = {to_camel_case(name): Column(name) for name in names}
    found.update(id=Id(), createdAt=Column("created_at", "datetime"),
                 updatedAt=Column("updated_at", "datetime"))  # fmt: skip
    return found


PAGE = frozenset({"first", "after", "last", "before"})
LISTED = PAGE | {"filter", "orderBy"}
INVENTORY = PAGE | {"filter", "search"}


def _reference(*names: str) -> dict[str, Spec]:
    found = _columns(*names)
    del found["createdAt"], found["updatedAt"]  # not part of the reference types
    return found


TYPES: dict[str, dict[str, Spec]] = {
    "Customer": {
        **_columns(
            "code",
            "kind",
            "legal_name",
            "trade_name",
            "tax_id",
            "tax_id_country",
            "birth_date",
            "email",
            "phone",
            "website",
            "status",
            "external_ref",
            "custom_fields",
            "version",
        ),
        "address": Address(),
        "overview": Overview(),
        "category": ToOne("CustomerCategory", "category_id"),
        "companyType": ToOne("CompanyType", "company_type_id"),
        "mergedInto": ToOne("Customer", "merged_into_id"),
        "contacts": Pages("Contact", "customer_id", LISTED),
        "sites": Pages("Site", "customer_id", LISTED),
        "contracts": Pages("Contract", "customer_id", LISTED),
        "inventory": Pages("InventoryItem", "customer_id", INVENTORY),
    },
    "Contact": {
        **_columns(
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "job_title",
            "is_primary",
            "version",
        ),
        "customer": ToOne("Customer", "customer_id"),
    },
    "Site": {
        **_columns("name", "version"),
        "address": Address(),
        "customer": ToOne("Customer", "customer_id"),
        "inventory": Pages("InventoryItem", "site_id", INVENTORY),
    },
    "Contract": {
        **_columns("number", "title", "status", "starts_on", "ends_on", "version"),
        "customer": ToOne("Customer", "customer_id"),
        "inventory": Pages("InventoryItem", "contract_id", INVENTORY),
    },
    "InventoryItem": {
        **_columns("serial_number", "description", "notes", "status", "version"),
        "customer": ToOne("Customer", "customer_id"),
        "contract": ToOne("Contract", "contract_id"),
        "site": ToOne("Site", "site_id"),
        "productType": ToOne("ProductType", "product_type_id"),
        "replacedBy": ToOne("InventoryItem", "replaced_by_id"),
    },
    "ProductType": _reference("name", "kind", "version"),
    "CustomerCategory": _reference("name", "version"),
    "CompanyType": _reference("name", "version"),
}

ROOTS: dict[str, Pages | ByColumn | NodeById] = {
    "customers": Pages("Customer", None, LISTED | {"search"}),
    # The other root lists page the same list statements as the connections below a
    # customer, over the whole tenant.
    "contacts": Pages("Contact", None, LISTED | {"search"}),
    "sites": Pages("Site", None, LISTED | {"search"}),
    "contracts": Pages("Contract", None, LISTED | {"search"}),
    "inventoryItems": Pages("InventoryItem", None, LISTED | {"search"}),
    "customerByCode": ByColumn("Customer", "code", "code"),
    "node": NodeById(),
}
