"""Expected failures as data: a problem names the input field, a stable code and a message.

Services raise `DomainError` with one or more problems; the API turns them into
`userErrors`. Database constraint violations are translated here too, so a rule
enforced by PostgreSQL reaches the caller as the same problem a check in code would.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError


class ErrorCode(enum.StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    TAKEN = "TAKEN"
    NOT_FOUND = "NOT_FOUND"
    WRONG_CUSTOMER = "WRONG_CUSTOMER"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    HAS_DEPENDENTS = "HAS_DEPENDENTS"
    INVALID_STATE = "INVALID_STATE"
    FORBIDDEN = "FORBIDDEN"
    DUPLICATE = "DUPLICATE"
    MERGE_CHANGED_SINCE = "MERGE_CHANGED_SINCE"


@dataclass(frozen=True)
class Problem:
    field: tuple[str, ...]
    code: ErrorCode
    message: str

    def under(self, *prefix: str) -> Problem:
        return Problem((*prefix, *self.field), self.code, self.message)


class DomainError(Exception):
    """One or more problems with a request; nothing of it may be committed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)

    def under(self, *prefix: str) -> DomainError:
        return DomainError([p.under(*prefix) for p in self.problems])


def problem(field: Sequence[str] | str, code: ErrorCode, message: str) -> DomainError:
    path = (field,) if isinstance(field, str) else tuple(field)
    return DomainError([Problem(path, code, message)])


# Constraint name -> (input field, code, message). The database is the rule; this is its voice.
CONSTRAINT_PROBLEMS: dict[str, tuple[str, ErrorCode, str]] = {
    "uq_customer_tenant_id_code": ("code", ErrorCode.TAKEN, "Another customer has this code."),
    "uq_customer_tenant_id_external_ref": (
        "externalRef", ErrorCode.TAKEN, "Another customer has this external reference.",
    ),
    "uq_contact_tenant_id_lower_email": (
        "email", ErrorCode.TAKEN, "Another contact has this e-mail address.",
    ),
    "uq_contact_customer_id_is_primary": (
        "isPrimary", ErrorCode.TAKEN, "The customer already has a primary contact.",
    ),
    "uq_site_customer_id_name": ("name", ErrorCode.TAKEN, "The customer has a site of this name."),
    "uq_contract_tenant_id_number": (
        "number", ErrorCode.TAKEN, "Another contract has this number.",
    ),
    "uq_inventory_item_tenant_id_product_type_id_serial_number": (
        "serialNumber", ErrorCode.TAKEN, "An item of this product type has this serial number.",
    ),
    "uq_product_type_tenant_id_name": ("name", ErrorCode.TAKEN, "A product type has this name."),
    "uq_customer_category_tenant_id_name": ("name", ErrorCode.TAKEN, "A category has this name."),
    "uq_company_type_tenant_id_name": ("name", ErrorCode.TAKEN, "A company type has this name."),
    "fk_inventory_item_customer_id_contract_id_contract": (
        "contractId", ErrorCode.WRONG_CUSTOMER, "The contract belongs to another customer.",
    ),
    "fk_inventory_item_customer_id_site_id_site": (
        "siteId", ErrorCode.WRONG_CUSTOMER, "The site belongs to another customer.",
    ),
    "ck_contract_period": ("endsOn", ErrorCode.INVALID, "The contract ends before it starts."),
    "ck_customer_birth_date_person": (
        "birthDate", ErrorCode.INVALID, "Only a PERSON customer has a birth date.",
    ),
}  # fmt: skip

# Foreign keys that point at a row being deleted: the row still has dependents.
DEPENDENT_PREFIXES = ("fk_inventory_item_", "fk_customer_tenant_id_category_id",
                      "fk_customer_tenant_id_company_type_id", "fk_contact_", "fk_site_",
                      "fk_contract_")  # fmt: skip


def constraint_name(error: IntegrityError) -> str | None:
    cause = getattr(error.orig, "__cause__", None)
    name = getattr(cause, "constraint_name", None)
    return str(name) if name else None


def from_integrity_error(error: IntegrityError, *, deleting: bool = False) -> DomainError | None:
    """The problem a constraint violation stands for, or None if it is not an expected one."""
    name = constraint_name(error)
    if name is None:
        return None
    if deleting and name.startswith(DEPENDENT_PREFIXES):
        return problem("id", ErrorCode.HAS_DEPENDENTS, "Other records still refer to this one.")
    known = CONSTRAINT_PROBLEMS.get(name)
    if known is None:
        return None
    field, code, message = known
    return problem(field, code, message)
