"""The root Query, Mutation and Subscription types, merged from each domain's fields, and the
schema."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from clientbase.resolvers.api_key import ApiKeyMutations, ApiKeyQueries
from clientbase.resolvers.contact import ContactMutations, ContactQueries
from clientbase.resolvers.contract import ContractMutations, ContractQueries
from clientbase.resolvers.customer import CustomerMutations, CustomerQueries
from clientbase.resolvers.duplicates import DuplicateMutations, DuplicateQueries
from clientbase.resolvers.exports import ExportMutations
from clientbase.resolvers.imports import ImportMutations
from clientbase.resolvers.inventory import InventoryMutations, InventoryQueries
from clientbase.resolvers.job import JobMutations, JobQueries, JobSubscriptions
from clientbase.resolvers.merge import MergeMutations
from clientbase.resolvers.node import NodeQueries
from clientbase.resolvers.reference import ReferenceMutations, ReferenceQueries
from clientbase.resolvers.search import SearchQueries
from clientbase.resolvers.site import SiteMutations, SiteQueries
from clientbase.resolvers.viewer import resolve_viewer
from clientbase.schema.audit import AuditEvent
from clientbase.schema.contact import Contact
from clientbase.schema.contract import Contract
from clientbase.schema.customer import Customer
from clientbase.schema.duplicates import DuplicateCandidate
from clientbase.schema.inventory import InventoryItem
from clientbase.schema.job import Job
from clientbase.schema.merge import CustomerMerge
from clientbase.schema.reference import CompanyType, CustomerCategory, ProductType
from clientbase.schema.site import Site
from clientbase.schema.viewer import Viewer
from clientbase.services.errors import DomainError

log = structlog.get_logger(__name__)


@strawberry.type
class ViewerQueries:
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer, description="Tenant, role and scopes of the caller."
    )


Query = merge_types(
    "Query",
    (NodeQueries, ViewerQueries, CustomerQueries, ReferenceQueries, ContactQueries, SiteQueries,
     ContractQueries, InventoryQueries, ApiKeyQueries, JobQueries, SearchQueries,
     DuplicateQueries),
)  # fmt: skip
Mutation = merge_types(
    "Mutation",
    (CustomerMutations, ReferenceMutations, ContactMutations, SiteMutations, ContractMutations,
     InventoryMutations, ApiKeyMutations, JobMutations, ImportMutations, ExportMutations,
     DuplicateMutations, MergeMutations),
)  # fmt: skip
Subscription = merge_types("Subscription", (JobSubscriptions,))

# Types reachable only through the Node interface must still be in the schema.
NODE_TYPES = [Customer, AuditEvent, ProductType, CustomerCategory, CompanyType, Contact, Site,
              Contract, InventoryItem, Job, DuplicateCandidate, CustomerMerge]  # fmt: skip


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Unexpected failures are masked for the client; the log keeps the detail, with the
        # request id (bound by the request middleware) so a report can be traced.
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GraphQLError | DomainError):
                continue
            log.error("unexpected error in resolver", path=error.path, exc_info=original)


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
    config: StrawberryConfig | None = None,
) -> strawberry.Schema:
    return Schema(query=Query, mutation=Mutation, subscription=Subscription, types=NODE_TYPES,
                  extensions=list(extensions), config=config)  # fmt: skip
