"""Contacts: found by e-mail (unique in the tenant), else by full name within the customer.

Making a contact primary demotes the customer's old primary first, as the service does;
the demotion is recorded like any other change of the job, so a rollback restores it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, ClassVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.models.contact import Contact
from clientbase.services import canonical, records
from clientbase.services.contact import service as contacts
from clientbase.services.errors import ErrorCode
from clientbase.services.imports.catalog import ImportEntity
from clientbase.services.imports.entities.base import (
    EntityImport,
    ImportMode,
    fetch_by,
    fetch_by_pairs,
)
from clientbase.services.imports.entities.links import (
    CUSTOMER_FIELDS,
    customer_key,
    link_customers,
    require_customer,
    wrong_customer,
)
from clientbase.services.imports.rows import Row, add_issue

NAME_FIELDS = ("full_name", "first_name", "last_name")
_DEMOTE = text(
    "WITH demoted AS (UPDATE contact AS t SET is_primary = false, version = t.version + 1, "
    "updated_at = now() FROM unnest(CAST(:customers AS uuid[]), CAST(:keep AS uuid[]), "
    "CAST(:numbers AS integer[])) AS k(customer_id, keep, row_number) "
    "WHERE t.customer_id = k.customer_id AND t.is_primary AND t.id <> k.keep "
    "RETURNING new.id, new.version, k.row_number, to_jsonb(old) AS before) "
    "INSERT INTO import_change (tenant_id, job_id, row_number, entity, record_id, action, "
    "version, before) SELECT CAST(:tenant_id AS uuid), CAST(:job_id AS uuid), row_number, "
    "'contact', id, 'UPDATED', version, before FROM demoted WHERE :log"
)


def _full_name(row: Row) -> str | None:
    data = row.data
    return data.get("full_name") or contacts.joined_name(data.get("first_name"),
                                                         data.get("last_name"))  # fmt: skip


class ContactImport(EntityImport):
    entity = ImportEntity.CONTACTS
    model = Contact
    audit_entity = contacts.ENTITY
    relation_fields: ClassVar[frozenset[str]] = frozenset(CUSTOMER_FIELDS)
    key_fields = (("email", *NAME_FIELDS),)
    create_fields = (CUSTOMER_FIELDS, NAME_FIELDS)

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        return contacts.normalise(data)

    def warm(self, row: Row) -> None:
        canonical.contact(contacts._named(dict(row.data)), self.country)

    def claims(self, row: Row) -> Iterable[Hashable]:
        email = row.data.get("email")
        found_by = ("email", email) if email else ("name", customer_key(row), _full_name(row))
        primary = ("primary", customer_key(row)) if row.data.get("is_primary") else None
        return [found_by, primary]

    def written_columns(self) -> set[str]:
        written = super().written_columns()
        # First and last names also rewrite a full name that was derived from them.
        return written | {"full_name"} if written & {"first_name", "last_name"} else written

    async def resolve(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        await link_customers(self, session, rows)
        emails = [r.data.get("email") for r in rows]
        by_email = await fetch_by(session, self.table, "email", emails, lock=True, lower=True)
        unnamed = [r for r in rows if not r.data.get("email")]
        keys = {id(r): (r.data.get("customer_id"), _full_name(r)) for r in unnamed}
        by_name = await fetch_by_pairs(session, self.table, ("customer_id", "full_name"),
                                       keys.values(), lock=True)  # fmt: skip
        for row in rows:
            email = row.data.get("email")
            row.existing = by_email.get(email) if email else by_name.get(keys[id(row)])

    def check(self, row: Row) -> None:
        existing, country = row.existing, self.country
        if existing is None:
            ok = require_customer(self, row)
            data = contacts._named(dict(row.data))
            if data.get("is_primary") is None:
                data["is_primary"] = False
            # The service's own preparation: shape rules, canonical e-mail and phone, keys.
            values, problems = contacts._prepared(data, True, country)
            if self.check_with(row, lambda: records.collect(problems)) and ok:
                row.record = self.new_record(values)
            return
        if self.mode is ImportMode.INSERT:
            if row.data.get("email"):
                self.taken(row, "email", "uq_contact_tenant_id_lower_email")
            else:
                self.taken_name(row)
            return
        if wrong_customer(self, row, "contact"):
            return
        changes = {k: v for k, v in row.data.items()
                   if k != "customer_id" and not (k == "is_primary" and v is None)}  # fmt: skip
        current = Contact(**{k: existing[k] for k in ("first_name", "last_name", "full_name")})
        values, problems = contacts._prepared(contacts._renamed(current, changes), False, country)
        if self.check_with(row, lambda: records.collect(problems)):
            row.record = self.updated_record(existing, values)

    def taken_name(self, row: Row) -> None:
        field = next((f for f in NAME_FIELDS if f in self.mapping.fields), "full_name")
        add_issue(row, self.mapping, field, ErrorCode.TAKEN.value,
                  "The customer has a contact of this name.")  # fmt: skip

    async def before_apply(self, session: AsyncSession, rows: Sequence[Row], log: Any) -> list[Row]:
        promoted = [r for r in rows if r.record and r.record["is_primary"]
                    and not (r.existing and r.existing["is_primary"])]  # fmt: skip
        if not promoted:
            return list(rows)
        await session.execute(_DEMOTE, {
            "customers": [str(r.record["customer_id"]) for r in promoted if r.record],
            "keep": [str(r.record_id) for r in promoted],
            "numbers": [r.number for r in promoted], "tenant_id": str(self.tenant_id),
            "job_id": str(log.job_id), "log": not log.dry_run,
        })  # fmt: skip
        return list(rows)
