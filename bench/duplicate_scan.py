"""Benchmark: a full duplicate scan of a tenant with a known share of duplicates.

    .venv/bin/python bench/duplicate_scan.py [--customers 1000000] [--share 0.02]
                                             [--data-dir DIR]

Seeds a tenant of CUSTOMERS customers: seed-generator customers whose e-mail and phone no
other one has (names may repeat, as the generator's and real ones do), and for a SHARE of
them a noisy copy made as bench/duplicate_quality makes them (misspelt, dropped or swapped
words, other legal forms, phones written otherwise or left out, no tax id, changed e-mail
domains, moved addresses). The copies are the true pairs. Then, in the same run: the
set-based blocking alone (pairs per customer, and pair completeness: the share of true pairs
blocking keeps), and the DUPLICATE_SCAN job end to end in this process (seconds, peak RSS,
and precision and recall of the stored candidates against the true pairs). Appends the
figures to bench/RESULTS.md. Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set
from duplicate_quality import COLUMNS_USED, duplicate  # noqa: E402
from duplicates import time_scan  # noqa: E402
from typeahead import bench_servers  # noqa: E402

from tests.stack import plain_url  # noqa: E402

TENANT = "bench-scan"
BATCH = 50_000
TRUTH = "CREATE TABLE IF NOT EXISTS bench_scan_truth (copy_id uuid PRIMARY KEY, source_id uuid)"


def customer_batches(count: int, share: float, seed: int, reference: Any) -> Any:
    """Batches of (customer rows, true pairs): originals with keys of their own, then copies."""
    from clientbase.services import canonical
    from clientbase.services.seed.generator import SeedGenerator
    from clientbase.services.seed.rows import CUSTOMER_COLUMNS

    r = random.Random(seed)
    generator = SeedGenerator(reference, seed, 1)
    seen: set[tuple[str, str]] = set()
    copies = int(count * share)
    originals, made = count - copies, 0
    kept: list[tuple[Any, ...]] = []
    while made < originals:
        rows = []
        for row in generator.batch(BATCH).customers:
            values = dict(zip(CUSTOMER_COLUMNS, row, strict=True))
            # E-mail and phone their own: names repeat (the generator's, as real ones do).
            keys = {(k, values[k]) for k in ("email", "phone_digits") if values[k]}
            if keys & seen or made >= originals:
                continue
            seen |= keys
            rows.append(row)
            made += 1
        # A share of the rows so far is copied (a reservoir of sources across batches).
        kept += r.sample(rows, min(len(rows), int(len(rows) * share / (1 - share)) + 1))
        yield rows, []
    sources = kept[:copies]
    index = {c: i for i, c in enumerate(CUSTOMER_COLUMNS)}
    for start in range(0, len(sources), BATCH):
        rows, truth = [], []
        for number, source in enumerate(sources[start : start + BATCH], start=start):
            values = {c: source[index[c]] for c in COLUMNS_USED}
            other = {c: sources[r.randrange(len(sources))][index[c]] for c in COLUMNS_USED}
            noisy = duplicate(r, values, other)
            stored, _ = canonical.customer(noisy, "BR")
            copy = list(source)
            copy[index["id"]] = uuid.uuid4()
            copy[index["code"]] = f"DUP{number:08d}"
            copy[index["external_ref"]] = None
            for column, value in {**noisy, **stored}.items():
                if column in index:
                    copy[index[column]] = value
            rows.append(tuple(copy))
            truth.append((copy[index["id"]], source[index["id"]]))
        yield rows, truth


async def seed(app_url: str, owner_url: str, count: int, share: float, seed_: int) -> uuid.UUID:
    """The tenant, seeded unless an earlier run did; the true pairs in bench_scan_truth."""
    import asyncpg
    from sqlalchemy import text

    from clientbase.core.db import Database
    from clientbase.services import seed as seeding
    from clientbase.services.seed import loader
    from clientbase.services.seed.rows import Batch

    database = Database(app_url, pool_size=1, max_overflow=0)
    owner = await asyncpg.connect(plain_url(owner_url))
    try:
        await owner.execute(TRUTH)
        tenant_id, _ = await seeding.ensure_tenant(database, TENANT)
        async with database.session(tenant_id) as session:
            have = int(await session.scalar(text("SELECT count(*) FROM customer")) or 0)
            reference = await loader.ensure_reference(session, tenant_id)
            await session.commit()
        if have >= count:
            return tenant_id
        started = time.perf_counter()
        for rows, truth in customer_batches(count, share, seed_, reference):
            async with database.session(tenant_id) as session:
                await loader.copy_batch(session, tenant_id, Batch(customers=rows))
                await session.commit()
            await owner.executemany("INSERT INTO bench_scan_truth VALUES ($1, $2)", truth)
            print(f"  seeded {len(rows):,} more in {time.perf_counter() - started:.0f} s")
        return tenant_id
    finally:
        await owner.close()
        await database.dispose()


async def blocking_figures(app_url: str, owner_url: str, tenant_id: uuid.UUID) -> dict[str, Any]:
    """The set-based blocking alone: seconds, pairs, pairs per customer, pair completeness."""
    import asyncpg
    from sqlalchemy import text

    from clientbase.core.db import Database
    from clientbase.services.dedupe import set_blocking

    owner = await asyncpg.connect(plain_url(owner_url))
    rows = await owner.fetch("SELECT copy_id, source_id FROM bench_scan_truth")
    truth = [tuple(row) for row in rows]
    await owner.close()
    database = Database(app_url, pool_size=1, max_overflow=0)
    try:
        async with database.session(tenant_id) as session:
            started = time.perf_counter()
            pairs = await set_blocking.build_pairs(session)
            seconds = time.perf_counter() - started
            per_customer = (
                "SELECT count(*) AS customers, max(n) AS most, avg(n) AS mean FROM ("
                "SELECT id, count(*) AS n FROM (SELECT a AS id FROM scan_pair UNION ALL "
                "SELECT b FROM scan_pair) AS ends GROUP BY id) AS per"
            )
            row = (await session.execute(text(per_customer))).one()
            kept = await session.scalar(
                text(
                    "SELECT count(*) FROM unnest(CAST(:a AS uuid[]), CAST(:b AS uuid[])) "
                    "AS t (x, y) "
                    "JOIN scan_customer x ON x.id = t.x JOIN scan_customer y ON y.id = t.y "
                    "JOIN scan_pair p ON p.a = least(x.rank, y.rank) "
                    "AND p.b = greatest(x.rank, y.rank)"
                ),
                {"a": [a for a, _ in truth], "b": [b for _, b in truth]},
            )
    finally:
        await database.dispose()
    return {"seconds": seconds, "pairs": pairs, "most": row.most, "mean": float(row.mean or 0),
            "completeness": (kept or 0) / max(len(truth), 1), "truth": len(truth)}  # fmt: skip


async def candidate_figures(owner_url: str, tenant_id: uuid.UUID) -> tuple[int, int, int]:
    """(candidates stored, of which true pairs, true pairs) for the tenant."""
    import asyncpg

    owner = await asyncpg.connect(plain_url(owner_url))
    try:
        stored = await owner.fetchval(
            "SELECT count(*) FROM duplicate_candidate WHERE tenant_id = $1", tenant_id
        )
        true = await owner.fetchval(
            "SELECT count(*) FROM duplicate_candidate c JOIN bench_scan_truth t ON "
            "(c.customer_a_id, c.customer_b_id) IN ((t.copy_id, t.source_id), "
            "(t.source_id, t.copy_id)) WHERE c.tenant_id = $1",
            tenant_id,
        )
        truth = await owner.fetchval("SELECT count(*) FROM bench_scan_truth")
        return int(stored), int(true), int(truth)
    finally:
        await owner.close()


class MemorySampler:
    """The largest total RSS of this process and its Python children (the scan's pool)."""

    def __init__(self) -> None:
        self.peak_mb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.2):
            with contextlib.suppress(psutil.Error):
                python = [c for c in me.children() if "python" in c.name().lower()]
                total = me.memory_info().rss + sum(c.memory_info().rss for c in python)
                self.peak_mb = max(self.peak_mb, total // 2**20)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="keep servers and data here for reuse")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--blocking-only", action="store_true", help="skip the scan job")
    args = parser.parse_args()
    with bench_servers(args.data_dir) as (owner_url, app_url):
        tenant_id = asyncio.run(seed(app_url, owner_url, args.customers, args.share, args.seed))
        blocking = asyncio.run(blocking_figures(app_url, owner_url, tenant_id))
        if args.blocking_only:
            print(blocking)
            return
        with MemorySampler() as memory:
            seconds, job, peak = asyncio.run(time_scan(app_url, tenant_id))
        stored, true, truth = asyncio.run(candidate_figures(owner_url, tenant_id))
    lines = [
        f"blocking alone: {blocking['seconds']:.1f} s, {blocking['pairs']:,} candidate pairs "
        f"(per customer: mean {blocking['mean']:.1f}, max {blocking['most']}); pair "
        f"completeness {blocking['completeness']:.4f} of {blocking['truth']:,} true pairs",
        f"DUPLICATE_SCAN job: {job.status}, {job.processed:,} customers in {seconds:.0f} s "
        f"({seconds / 60:.1f} min), peak RSS {peak} MB (this process), {memory.peak_mb} MB "
        "with its scoring processes (sampled every 0.2 s)",
        f"stored candidates (review band or above): {stored:,}; true pairs among them {true:,}: "
        f"precision {true / max(stored, 1):.3f}, recall {true / max(truth, 1):.3f}",
    ]
    print("\n".join(lines))
    if args.no_record:
        return
    results.record(f"Full duplicate scan, {args.customers:,} customers, {args.share:.0%} copies",
                   "goal <= 10 min, <= 4 GB, pair completeness >= 0.99", lines)  # fmt: skip


if __name__ == "__main__":
    main()
