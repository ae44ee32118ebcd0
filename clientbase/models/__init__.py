"""SQLAlchemy models, one module per table; importing this package registers them all on Base."""

from clientbase.models.api_key import ApiKey
from clientbase.models.audit_event import ActorKind, AuditEvent
from clientbase.models.base import Base
from clientbase.models.company_type import CompanyType
from clientbase.models.contact import Contact
from clientbase.models.contract import Contract, ContractStatus
from clientbase.models.customer import Customer, CustomerKind, CustomerStatus
from clientbase.models.customer_category import CustomerCategory
from clientbase.models.customer_merge import CustomerMerge, MergeStatus
from clientbase.models.duplicate_candidate import CandidateStatus, DuplicateCandidate, MatchBand
from clientbase.models.file import File, FilePurpose
from clientbase.models.file_chunk import FileChunk
from clientbase.models.idempotency_key import IdempotencyKey
from clientbase.models.import_change import ImportAction, ImportChange
from clientbase.models.import_row_error import ImportRowError
from clientbase.models.inventory_item import InventoryItem, InventoryItemStatus
from clientbase.models.job import Job, JobKind, JobStatus
from clientbase.models.product_type import ProductKind, ProductType
from clientbase.models.search_word import SearchWord
from clientbase.models.site import Site
from clientbase.models.tenant import Tenant

__all__ = [
    "ActorKind",
    "ApiKey",
    "AuditEvent",
    "Base",
    "CandidateStatus",
    "CompanyType",
    "Contact",
    "Contract",
    "ContractStatus",
    "Customer",
    "CustomerCategory",
    "CustomerKind",
    "CustomerMerge",
    "CustomerStatus",
    "DuplicateCandidate",
    "File",
    "FileChunk",
    "FilePurpose",
    "IdempotencyKey",
    "ImportAction",
    "ImportChange",
    "ImportRowError",
    "InventoryItem",
    "InventoryItemStatus",
    "Job",
    "JobKind",
    "JobStatus",
    "MatchBand",
    "MergeStatus",
    "ProductKind",
    "ProductType",
    "SearchWord",
    "Site",
    "Tenant",
]
