"""Benchmark: a read mix over HTTP (customer 360, typeahead, lists), alone and while a
100,000-row customer import runs.

    .venv/bin/python bench/load_mix.py [--customers 20000] [--seconds 60] [--rows 100000]
                                       [--clients 8] [--data-dir DIR] [--no-record]

Starts embedded PostgreSQL and Redis (as bench/typeahead.py does, whose tenant and seeding
it reuses), then `clientbase serve` (uvicorn, one process) and `clientbase worker` as child
processes on loopback. CLIENTS clients in a closed loop (each sends its next request when
the last is answered) keep the API at its capacity:
  1. alone: the mix for SECONDS/4 s, nothing else running: the API's capacity;
  2. under import: the same clients for SECONDS s while an import job of ROWS customers,
     uploaded and started over GraphQL, runs on the worker.
Latency is measured at the client. An error is an answer other than 200, or a 200 whose
body carries `errors` (GraphQL-level). Prints req/s, p50/p95/p99 and the error rate of
both phases, the ratio of phase 2 to phase 1, and how long the import ran, and appends
them to bench/RESULTS.md. Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402
from typeahead import TENANT, bench_servers, percentiles, reader_key, seeded_tenant  # noqa: E402
from typeahead_queries import sample_queries  # noqa: E402

CUSTOMER_360 = """query($code: String!) { customerByCode(code: $code) {
  id code legalName taxId phone status version category { name }
  overview { contacts sites contracts items itemsByProductType { productTypeName count } }
  contacts(first: 10) { nodes { fullName email phone isPrimary } }
  sites(first: 10) { nodes { name address { city postalCode } } }
  contracts(first: 10) { nodes { number status startsOn endsOn } }
  inventory(first: 20) { totalCount nodes { serialNumber status productType { name }
    site { name } contract { number } } } } }"""
TYPEAHEAD = """query($q: String!) { customerSearch(query: $q) {
  customer { id code legalName } matchedOn score } }"""
CUSTOMER_LIST = """query($after: String) { customers(first: 20, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { code legalName phone status } } }"""
CONTACT_LIST = """query($word: String!) { contacts(first: 20, search: $word) {
  nodes { fullName email customer { code legalName } } } }"""
INVENTORY_LIST = """query($code: String!) { inventoryItems(first: 20,
  filter: {customer: {code: {eq: $code}}}) { nodes { serialNumber status
  productType { name } site { name } } } }"""
SAMPLE_CODES = "SELECT code FROM customer TABLESAMPLE SYSTEM (10) LIMIT 2000"
SAMPLE_WORDS = "SELECT split_part(full_name, ' ', 1) FROM contact LIMIT 500"
# Shares of the mix: a 360 view, typeahead keystrokes, list pages.
MIX = {"customer 360": 3, "typeahead": 4, "customer list": 1, "contact list": 1,
       "inventory list": 1}  # fmt: skip
START = """mutation($input: ImportStartInput!) {
  importStart(input: $input) { job { id } userErrors { field code message } } }"""
JOB = """query($id: ID!) { node(id: $id) { ... on Job { status
  progress { processed total } } } }"""


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def summary(self) -> str:
        every = [x for v in self.latencies.values() for x in v]
        cuts = percentiles(every)
        rate = 100 * self.error_count / max(self.count, 1)
        return (f"{self.name}: {self.count / self.seconds:.1f} req/s ({self.count} in "
                f"{self.seconds:.0f} s), p50 {cuts['p50']:.1f} / p95 {cuts['p95']:.1f} / "
                f"p99 {cuts['p99']:.1f} ms, errors {self.error_count} ({rate:.2f}%)")  # fmt: skip

    def by_kind(self) -> str:
        parts = []
        for kind, values in self.latencies.items():
            cuts = percentiles(values) if len(values) > 1 else {"p50": values[0], "p95": values[0]}
            parts.append(f"{kind} {len(values)} p50 {cuts['p50']:.1f} p95 {cuts['p95']:.1f}")
        return "; ".join(parts)


def requests_for(kind: str, r: random.Random, codes: list[str], queries: list[str],
                 words: list[str]) -> dict[str, Any]:  # fmt: skip
    if kind == "customer 360":
        return {"query": CUSTOMER_360, "variables": {"code": r.choice(codes)}}
    if kind == "typeahead":
        return {"query": TYPEAHEAD, "variables": {"q": r.choice(queries)}}
    if kind == "customer list":
        return {"query": CUSTOMER_LIST, "variables": {"after": None}}
    if kind == "contact list":
        return {"query": CONTACT_LIST, "variables": {"word": r.choice(words)}}
    return {"query": INVENTORY_LIST, "variables": {"code": r.choice(codes)}}


async def drive(base: str, key: str, phase: Phase, seconds: float, clients: int,
                material: tuple[list[str], list[str], list[str]]) -> None:  # fmt: skip
    import httpx

    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
    headers = {"Authorization": f"Bearer {key}"}
    deadline = time.monotonic() + seconds

    async def client(number: int) -> None:
        r = random.Random(number)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
            while time.monotonic() < deadline:
                kind = r.choice(kinds)
                body = requests_for(kind, r, *material)
                started = time.perf_counter()
                try:
                    response = await http.post("/graphql", json=body)
                    failed = response.status_code != 200 or "errors" in response.json()
                    detail = response.text[:300]
                except httpx.HTTPError as exc:
                    failed, detail = True, repr(exc)
                phase.latencies.setdefault(kind, []).append(
                    (time.perf_counter() - started) * 1000)  # fmt: skip
                if failed:
                    phase.errors[kind] = phase.errors.get(kind, 0) + 1
                    if len(phase.examples) < 3:
                        phase.examples.append(f"{kind}: {detail}")

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    phase.seconds = time.monotonic() - started


async def material(app_url: str, tenant_id: uuid.UUID) -> tuple[list[str], list[str], list[str]]:
    """Customer codes, typeahead queries and contact words drawn from the seeded rows."""
    from sqlalchemy import text

    from clientbase.core.db import Database

    database = Database(app_url, pool_size=1, max_overflow=0)
    try:
        async with database.session(tenant_id) as session:
            codes = list((await session.execute(text(SAMPLE_CODES))).scalars())
            words = list((await session.execute(text(SAMPLE_WORDS))).scalars())
    finally:
        await database.dispose()
    queries = [q for _, q, _, _ in await sample_queries(app_url, tenant_id, 2000)]
    return codes, queries, [w for w in words if len(w) >= 3]


async def editor_key() -> str:
    from clientbase.core.config import get_settings
    from clientbase.core.db import Database
    from clientbase.services.auth import service as auth
    from clientbase.services.auth.principal import Role

    database = Database(get_settings().database_url or "", pool_size=1, max_overflow=0)
    try:
        async with database.session() as session:
            tenant = await auth.find_tenant(session, TENANT)
            assert tenant is not None
            issued = await auth.create_api_key(session, tenant, Role.EDITOR, "load mix import")
            await session.commit()
    finally:
        await database.dispose()
    return issued.secret


def customers_csv(rows: int) -> bytes:
    lines = ["code,legal_name,email,phone,address_city,address_country"]
    for i in range(rows):
        lines.append(f"LOAD{i:07d},Comércio Carga {i} Ltda,carga{i}@cliente{i % 997}.com.br,"
                     f"+55 11 9{i % 10_000:04d}-{(i * 7919) % 10_000:04d},Campinas,BR")  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


async def start_import(base: str, key: str, rows: int) -> str:
    import httpx

    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        uploaded = await http.post("/files", content=customers_csv(rows), headers={
            "Content-Type": "text/csv", "X-Filename": "load.csv"})  # fmt: skip
        assert uploaded.status_code == 201, uploaded.text
        variables = {"input": {"fileId": uploaded.json()["id"], "entity": "CUSTOMERS"}}
        started = await http.post("/graphql", json={"query": START, "variables": variables})
        payload = started.json()["data"]["importStart"]
        assert not payload["userErrors"], payload
        return str(payload["job"]["id"])


async def job_state(base: str, key: str, job_id: str) -> dict[str, Any]:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        answer = await http.post("/graphql", headers={"Authorization": f"Bearer {key}"},
                                 json={"query": JOB, "variables": {"id": job_id}})  # fmt: skip
        node: dict[str, Any] = answer.json()["data"]["node"]
        return node


def child(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "clientbase", *argv], stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip


def wait_ready(base: str) -> None:
    import httpx

    for _ in range(600):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the API did not start")


async def measure(args: argparse.Namespace, base: str, mix: tuple[list[str], ...]) -> list[str]:
    reader = await reader_key("load mix")
    writer = await editor_key()
    # Warm the API's caches (parsed queries, plans) before anything is timed.
    await drive(base, reader, Phase("warm-up"), 5, args.clients, mix)  # type: ignore[arg-type]
    alone = Phase("alone")
    await drive(base, reader, alone, args.seconds / 4, args.clients, mix)  # type: ignore[arg-type]
    job_id = await start_import(base, writer, args.rows)
    began = time.monotonic()
    loaded = Phase("under import")
    await drive(base, reader, loaded, args.seconds, args.clients, mix)  # type: ignore[arg-type]
    during = await job_state(base, writer, job_id)
    state = during
    while state["status"] in ("QUEUED", "RUNNING"):
        await asyncio.sleep(1)
        state = await job_state(base, writer, job_id)
    ran = time.monotonic() - began
    ratio = (loaded.count / loaded.seconds) / (alone.count / alone.seconds)
    p95 = percentiles([x for v in loaded.latencies.values() for x in v])["p95"] / percentiles(
        [x for v in alone.latencies.values() for x in v])["p95"]  # fmt: skip
    lines = [
        alone.summary(),
        f"  by kind: {alone.by_kind()}",
        loaded.summary(),
        f"  by kind: {loaded.by_kind()}",
        f"under import / alone: {ratio:.2f}x the req/s, {p95:.2f}x the p95",
        f"import of {args.rows:,} rows: {during['progress']['processed']:,} processed at the end "
        f"of the window; ended {state['status']} {ran:.0f} s after it started",
    ]
    rate = 100 * loaded.error_count / max(loaded.count, 1)
    lines.append(f"GraphQL-level error rate under import {rate:.2f}% (goal < 1%): "
                 f"{'met' if rate < 1 else 'NOT met'}")  # fmt: skip
    for example in alone.examples + loaded.examples:
        lines.append(f"  error example: {example}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--data-dir", type=Path, help="keep servers and data here for reuse")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()

    with bench_servers(args.data_dir) as (owner_url, app_url):
        tenant_id, _ = asyncio.run(seeded_tenant(app_url, owner_url, args.customers))
        mix = asyncio.run(material(app_url, tenant_id))
        from clientbase.core.devstack import free_port

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # One key sends a minute of requests at capacity: no per-key budget in a benchmark.
        os.environ.update(CLIENTBASE_QUERY_COST_PER_MINUTE="0", CLIENTBASE_LOG_LEVEL="WARNING")
        logs = Path(os.environ["CLIENTBASE_DATA_DIR"])
        logs.mkdir(parents=True, exist_ok=True)
        api = child(["serve", "--port", str(port)], logs / "api.log")
        worker = child(["worker"], logs / "worker.log")
        try:
            wait_ready(base)
            lines = asyncio.run(measure(args, base, mix))
        finally:
            for process in (worker, api):
                process.terminate()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
    print("\n".join(lines))
    if not args.no_record:
        record(args, lines)


def record(args: argparse.Namespace, lines: list[str]) -> None:
    results.record(
        f"Read mix at capacity while a {args.rows:,}-row import runs",
        f"loopback; `clientbase serve` with one uvicorn process, `clientbase worker`, embedded "
        f"PostgreSQL 18 and Redis; {args.customers:,} seeded customers; {args.clients} "
        "closed-loop clients in the same machine; goal: GraphQL-level errors < 1%",
        lines,
        "Mix: customer 360 by code 30%, typeahead 40%, customer list page, contact search and "
        "a customer's inventory list 10% each. Alone: the same clients before the import "
        "started (the peer of the ratio).",
    )


if __name__ == "__main__":
    main()
