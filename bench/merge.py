"""Benchmark: customersMerge of a customer with 50,000 inventory items, beside one plain UPDATE.

    .venv/bin/python bench/merge.py [--items 50000] [--rounds 3] [--no-record]

Starts embedded PostgreSQL and Redis in a temporary directory (the test stack), then per
round, on fresh customers each time (a survivor A and a customer B with ITEMS items under
one contract and site):
  1. the peer: `UPDATE inventory_item SET customer_id = A, contract_id = .., site_id = ..
     WHERE customer_id = B`, committed: the same rows moved by hand, nothing recorded;
  2. the merge service (B into A), committed: items, contacts, contracts and sites moved,
     an audit event per moved row, the undo record;
  3. the undo of that merge, committed.
Prints the median times and their ratios to the peer, and appends them to bench/RESULTS.md.
Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set

FILL = (
    "INSERT INTO inventory_item (tenant_id, customer_id, contract_id, site_id, product_type_id, "
    "serial_number) SELECT :tenant, :customer, :contract, :site, :product, "
    "'SN-' || :prefix || '-' || g FROM generate_series(1, :items) AS g"
)


async def customer_with_items(
    session: Any, tenant: uuid.UUID, product: uuid.UUID, items: int
) -> dict[str, uuid.UUID]:
    from sqlalchemy import text

    from clientbase.models import Contract, Customer, Site

    ids = {"customer": uuid.uuid4(), "contract": uuid.uuid4(), "site": uuid.uuid4()}
    code = ids["customer"].hex[:10]
    session.add(
        Customer(
            id=ids["customer"],
            tenant_id=tenant,
            code=f"B-{code}",
            kind="COMPANY",
            legal_name=f"Bench {code}",
            name_key=f"bench {code}",
        )
    )
    await session.flush()
    session.add(
        Contract(
            id=ids["contract"], tenant_id=tenant, customer_id=ids["customer"], number=f"K-{code}"
        )
    )
    session.add(Site(id=ids["site"], tenant_id=tenant, customer_id=ids["customer"], name="Plant"))
    await session.flush()
    if items:
        await session.execute(
            text(FILL),
            {
                "tenant": tenant,
                "customer": ids["customer"],
                "contract": ids["contract"],
                "site": ids["site"],
                "product": product,
                "prefix": code,
                "items": items,
            },
        )
    return ids


async def run(app_url: str, items: int, rounds: int) -> dict[str, list[float]]:
    from sqlalchemy import text

    from clientbase.core.db import Database
    from clientbase.models import ProductType
    from clientbase.services.auth import service as auth
    from clientbase.services.auth.principal import Principal, Role
    from clientbase.services.merge import service as merges
    from clientbase.services.merge import undo as merge_undo
    from clientbase.services.merge.plan import MergeRequest

    database = Database(app_url, pool_size=1, max_overflow=0)
    times: dict[str, list[float]] = {"peer": [], "merge": [], "undo": []}
    try:
        async with database.session() as session:
            tenant = await auth.create_tenant(session, f"bench-{uuid.uuid4().hex[:8]}", "Bench")
            await session.commit()
        actor = Principal(tenant.id, Role.EDITOR, "SYSTEM", "bench", "bench")
        async with database.session(tenant.id) as session:
            product = ProductType(
                id=uuid.uuid4(), tenant_id=tenant.id, name="Meter", kind="PRODUCT"
            )
            session.add(product)
            await session.commit()
        for _ in range(rounds):
            async with database.session(tenant.id) as session:
                a = await customer_with_items(session, tenant.id, product.id, 0)
                b = await customer_with_items(session, tenant.id, product.id, items)
                await session.commit()
                await session.execute(text("ANALYZE inventory_item"))
                started = time.perf_counter()
                moved = await session.execute(
                    text(
                        "UPDATE inventory_item SET customer_id = :a, contract_id = :k, "
                        "site_id = :s WHERE customer_id = :b"
                    ),
                    {"a": a["customer"], "k": a["contract"], "s": a["site"], "b": b["customer"]},
                )
                await session.commit()
                times["peer"].append(time.perf_counter() - started)
                assert moved.rowcount == items  # type: ignore[attr-defined]
            async with database.session(tenant.id) as session:
                a = await customer_with_items(session, tenant.id, product.id, 0)
                b = await customer_with_items(session, tenant.id, product.id, items)
                await session.commit()
                started = time.perf_counter()
                merge = await merges.merge(
                    session, actor, MergeRequest(a["customer"], [b["customer"]])
                )
                await session.commit()
                times["merge"].append(time.perf_counter() - started)
                assert len(merge.record["items"]) == items
                started = time.perf_counter()
                await merge_undo.undo(session, actor, merge.id)
                await session.commit()
                times["undo"].append(time.perf_counter() - started)
    finally:
        await database.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    from tests.stack import export_environment, start_test_stack

    os.environ.pop("CLIENTBASE_TEST_DATABASE_URL", None)  # PostgreSQL 18, embedded
    stack = start_test_stack()
    export_environment(stack)
    try:
        times = asyncio.run(run(stack.app_url, args.items, args.rounds))
    finally:
        stack.stop()
    peer, merge, undo = (statistics.median(times[k]) for k in ("peer", "merge", "undo"))

    def each(key: str) -> str:
        return ", ".join(f"{t:.2f}" for t in times[key])

    lines = [
        f"plain UPDATE of the {args.items:,} items (peer): median {peer:.2f} s ({each('peer')})",
        f"customersMerge service, committed: median {merge:.2f} s ({each('merge')}); "
        f"{merge / peer:.1f}x the peer",
        f"customersMergeUndo service, committed: median {undo:.2f} s ({each('undo')}); "
        f"{undo / peer:.1f}x the peer",
    ]
    print("\n".join(lines))
    if args.no_record:
        return
    results.record(f"Customer merge, {args.items:,} inventory items", "embedded PostgreSQL 18",
                   lines)  # fmt: skip


if __name__ == "__main__":
    main()
