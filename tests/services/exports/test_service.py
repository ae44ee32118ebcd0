"""start_export checks its input at once: each mistake is a problem naming its field."""

from __future__ import annotations

from typing import Any

import pytest

from clientbase.core.db import Database
from clientbase.services.errors import DomainError
from clientbase.services.exports import service as exports
from tests.helpers import committed_tenant
from tests.services.imports.helpers import actor


@pytest.mark.parametrize(
    ("options", "fields"),
    [
        ({"entity": "planets"}, [("entity",)]),
        ({"entity": "inventory-items", "file_format": "pdf"}, [("format",)]),
        ({"entity": "sites", "file_format": "xlsx", "bom": True}, [("bom",)]),
        ({"entity": "contacts", "columns": ["email", "legal_name"]}, [("columns", "1")]),
        ({"entity": "contracts", "filter_tree": {"colour": {"eq": "red"}}}, [("filter", "colour")]),
        ({"entity": "customers", "filter_tree": {"code": {"gt": "C"}}}, [("filter", "gt")]),
        ({"entity": "customers", "search": "x" * 201}, [("search",)]),
    ],
)
async def test_bad_inputs_name_their_field(
    database: Database, options: dict[str, Any], fields: list[tuple[str, ...]]
) -> None:
    tenant = await committed_tenant(database)
    options = {"file_format": "CSV", **options}
    async with database.session(tenant.tenant_id) as session:
        with pytest.raises(DomainError) as raised:
            await exports.start_export(session, actor(tenant.tenant_id), **options)
    assert [p.field for p in raised.value.problems] == fields


async def test_a_good_start_stores_what_the_worker_needs(database: Database) -> None:
    tenant = await committed_tenant(database)
    async with database.session(tenant.tenant_id) as session:
        job = await exports.start_export(
            session, actor(tenant.tenant_id), entity="inventory items", file_format="jsonl",
            columns=["serialNumber", "SITE_NAME"], search="router",
            filter_tree={"site": {"name": {"eq": "Casa"}}},
        )  # fmt: skip
    assert job.kind == "EXPORT" and job.status == "QUEUED"
    params = dict(job.params)
    assert params.pop("filename").startswith("inventory-items-")
    assert params == {"entity": "INVENTORY_ITEMS", "format": "JSONL",
                      "columns": ["serial_number", "site_name"], "search": "router",
                      "filter": {"site": {"name": {"eq": "Casa"}}}, "bom": False}  # fmt: skip
