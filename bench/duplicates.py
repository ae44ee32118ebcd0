"""Benchmark: customerDuplicates over a tenant of 1,000,000 seeded customers.

    .venv/bin/python bench/duplicates.py [--customers 1000000] [--probes 1000] [--http 200]
                                         [--data-dir DIR]

Seeds the tenant as bench/typeahead.py does (same helpers, same tenant: a --data-dir seeded
by either benchmark serves both), then asks PROBES questions "does this customer exist
already?" through the service function, one session per probe as a request has, and a
smaller sample over HTTP through the ASGI app. Probes are drawn from the seeded rows as a
new registration of the same customer would be typed (name re-typed or misspelt, phone in
another format, tax id with punctuation, address, birth date), plus names of customers that
do not exist. The peer, in the same run, is the typeahead (customerSearch) on the probes'
names: the figure to compare is the ratio of the two p95s. Prints p50/p95/p99/max (ms),
overall and per kind, the share of probes that found their source customer first, and the
candidates blocking gave per probe; appends them to bench/RESULTS.md. Never run by tests.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import results  # noqa: E402 - after the path is set
from typeahead import TENANT_COUNTRY, bench_servers, line, reader_key, seeded_tenant  # noqa: E402
from typeahead_queries import plain_ascii, typo  # noqa: E402

WARM_UP = 50
SAMPLE = (
    "SELECT code, kind, legal_name, tax_id, tax_id_country, phone_digits, email, birth_date, "
    "address_line1, address_number, address_postal_code, address_city "
    "FROM customer TABLESAMPLE BERNOULLI (0.2) REPEATABLE (11)"
)
# Share of each kind of probe. "new" probes are names nobody has: most registrations.
MIX = {
    "retyped": 25,
    "typo + phone": 15,
    "tax id": 10,
    "address": 15,
    "person": 10,
    "e-mail": 5,
    "new": 20,
}
# A probe finds its source when the source is the first match; "new" ones should find none.
INVENTED = ("Quitanda", "Borracharia", "Serralheria", "Papelaria", "Vidraçaria", "Sorveteria")


def national(digits: str) -> str:
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    number = phonenumbers.parse(f"+{digits}")
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def make_probe(r: random.Random, kind: str, row: Any) -> dict[str, Any] | None:
    """A probe of `kind` made from `row`, or None when the row lacks what the kind needs."""
    name = plain_ascii(row.legal_name).upper() if r.random() < 0.5 else row.legal_name
    if kind == "retyped":
        return {
            "legalName": name,
            **({"phone": national(row.phone_digits)} if row.phone_digits else {}),
        }
    if kind == "typo + phone":
        return row.phone_digits and {
            "legalName": typo(r, row.legal_name),
            "phone": national(row.phone_digits),
        }
    if kind == "tax id":
        return row.tax_id and {
            "legalName": typo(r, row.legal_name),
            "taxId": row.tax_id,
            "taxIdCountry": row.tax_id_country,
        }
    if kind == "address":
        return row.address_postal_code and {
            "legalName": typo(r, row.legal_name),
            "address": {
                "line1": row.address_line1,
                "number": row.address_number,
                "postalCode": row.address_postal_code,
                "city": row.address_city,
            },
        }
    if kind == "person":
        return (
            row.kind == "PERSON"
            and row.birth_date
            and {"kind": "PERSON", "legalName": name, "birthDate": row.birth_date.isoformat()}
        )
    if kind == "e-mail":
        return row.email and {"legalName": name, "email": row.email}
    words = row.legal_name.split()
    return {
        "legalName": f"{r.choice(INVENTED)} {words[-1] if words else 'Nova'} {r.randint(1, 99)}"
    }


async def sample_probes(
    app_url: str, tenant_id: uuid.UUID, count: int
) -> list[tuple[str, dict[str, Any], str]]:
    from sqlalchemy import text

    from clientbase.core.db import Database

    r = random.Random(20261203)
    database = Database(app_url, pool_size=1, max_overflow=0)
    try:
        async with database.session(tenant_id) as session:
            rows = (await session.execute(text(SAMPLE))).all()
    finally:
        await database.dispose()
    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
    probes: list[tuple[str, dict[str, Any], str]] = []
    while len(probes) < count:
        kind, row = r.choice(kinds), r.choice(rows)
        probe = make_probe(r, kind, row)
        if probe:
            probes.append((kind, probe, "" if kind == "new" else row.code))
    return probes


def service_values(probe: dict[str, Any]) -> dict[str, Any]:
    """The probe as the resolver hands it to the service (schema.duplicates.probe_values)."""
    address = probe.get("address") or {}
    values = {
        "kind": probe.get("kind", "COMPANY"),
        "legal_name": probe["legalName"],
        "tax_id": probe.get("taxId"),
        "tax_id_country": probe.get("taxIdCountry"),
        "phone": probe.get("phone"),
        "email": probe.get("email"),
        "birth_date": dt.date.fromisoformat(probe["birthDate"]) if "birthDate" in probe else None,
        "address_line1": address.get("line1"),
        "address_number": address.get("number"),
        "address_postal_code": address.get("postalCode"),
        "address_city": address.get("city"),
    }
    return {k: v for k, v in values.items() if v is not None}


async def time_service(
    app_url: str, tenant_id: uuid.UUID, probes: list[tuple[str, dict[str, Any], str]]
) -> list[tuple[str, float, float, bool, int]]:
    """(kind, duplicates ms, typeahead ms on the same name, found, candidates blocked)."""
    from clientbase.core.db import Database
    from clientbase.services.dedupe import blocking, repository
    from clientbase.services.dedupe import service as dedupe
    from clientbase.services.search.service import search_customers

    database = Database(app_url, pool_size=2, max_overflow=0)
    results = []
    try:
        for index, (kind, probe, code) in enumerate(probes):
            values = service_values(probe)
            async with database.session(tenant_id) as session:
                started = time.perf_counter()
                found = await dedupe.customer_duplicates(session, tenant_id, values)
                elapsed = (time.perf_counter() - started) * 1000
                # Seeded customers share names and e-mails: any of the best ties will do.
                best = [f.customer.code for f in found if f.match.score == found[0].match.score]
            async with database.session(tenant_id) as session:
                started = time.perf_counter()
                await search_customers(session, tenant_id, probe["legalName"])
                peer = (time.perf_counter() - started) * 1000
                record = dedupe.probe_record(values, (), TENANT_COUNTRY)
                [blocked] = await repository.blocked(session, [blocking.keys(record)])
            ok = code in best if code else not [f for f in found if f.band == "LIKELY"]
            if index >= WARM_UP:
                results.append((kind, elapsed, peer, ok, len(blocked)))
    finally:
        await database.dispose()
    return results


async def time_http(
    tenant_id: uuid.UUID, probes: list[tuple[str, dict[str, Any], str]]
) -> list[float]:
    import httpx

    from clientbase.app import create_app

    secret = await reader_key("duplicates bench")
    body = (
        "query($p: CustomerProbe!) { customerDuplicates(probe: $p) { customer { id code "
        "legalName } score band reasons { field method score } } }"
    )
    headers = {"Authorization": f"Bearer {secret}"}
    app = create_app()
    samples = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for index, (_, probe, _) in enumerate(probes):
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", headers=headers, json={"query": body, "variables": {"p": probe}}
                )
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200 and "errors" not in response.json(), (
                    response.text
                )
                if index >= WARM_UP // 2:
                    samples.append(elapsed)
    return samples


async def time_scan(app_url: str, tenant_id: uuid.UUID) -> tuple[float, Any, int]:
    """A full DUPLICATE_SCAN job run in this process: seconds, the job, peak RSS (MB)."""
    import resource

    from clientbase.core.db import Database
    from clientbase.services.auth.principal import Principal, Role
    from clientbase.services.dedupe import candidates
    from clientbase.services.dedupe.handler import handle_scan
    from clientbase.services.jobs import service as jobs
    from clientbase.services.jobs.runner import run_job

    assert handle_scan
    database = Database(app_url, pool_size=2, max_overflow=0)
    actor = Principal(tenant_id, Role.EDITOR, "SYSTEM", "bench", "duplicates bench")

    async def published(job_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
        return None

    try:
        async with database.session(tenant_id) as session:
            job = await candidates.start_scan(session, actor)
            await session.commit()
        started = time.perf_counter()
        await run_job(job.id, database, published, tenant_id=tenant_id)
        seconds = time.perf_counter() - started
        async with database.session(tenant_id) as session:
            done = await jobs.get(session, job.id)
            session.expunge(done)
    finally:
        await database.dispose()
    return seconds, done, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=1000)
    parser.add_argument("--http", type=int, default=200, help="probes over HTTP")
    parser.add_argument("--data-dir", type=Path, help="keep servers and data here for reuse")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--scan", action="store_true", help="then time a full duplicate scan")
    args = parser.parse_args()

    with bench_servers(args.data_dir) as (owner_url, app_url):
        tenant_id, seeding = asyncio.run(seeded_tenant(app_url, owner_url, args.customers))
        probes = asyncio.run(sample_probes(app_url, tenant_id, args.probes + WARM_UP))
        timed = asyncio.run(time_service(app_url, tenant_id, probes))
        http = asyncio.run(time_http(tenant_id, probes[: args.http + WARM_UP // 2]))
        report(args, timed, http, seeding)
        if args.scan:
            seconds, job, peak = asyncio.run(time_scan(app_url, tenant_id))
            report_scan(args, seconds, job, peak)


def report(
    args: argparse.Namespace,
    timed: list[tuple[str, float, float, bool, int]],
    http: list[float],
    seeding: float | None,
) -> None:
    seeded = f"seeded in {seeding:.0f} s" if seeding is not None else "seeded by an earlier run"
    ours, peer = [t[1] for t in timed], [t[2] for t in timed]
    p95 = statistics.quantiles(ours, n=100, method="inclusive")[94]
    peer_p95 = statistics.quantiles(peer, n=100, method="inclusive")[94]
    blocked = [t[4] for t in timed]
    lines = [
        f"{args.customers:,} customers, {seeded} (2 writers)",
        line(f"service, {len(timed)} probes", ours),
        line("peer: customerSearch on the same names", peer),
        f"p95 ratio customerDuplicates / customerSearch: {p95 / peer_p95:.2f}",
        f"candidates blocked per probe: mean {statistics.mean(blocked):.1f}, max {max(blocked)}",
    ]
    for kind in MIX:
        of_kind = [t for t in timed if t[0] == kind]
        if of_kind:
            share = 100 * sum(t[3] for t in of_kind) / len(of_kind)
            what = "no likely match" if kind == "new" else "found first"
            lines.append(f"  {line(kind, [t[1] for t in of_kind])}; {what} {share:.0f}%")
    lines.append(line(f"HTTP (ASGI, in process), {len(http)} probes", http))
    print("\n".join(lines))
    if args.no_record:
        return
    results.record(
        f"customerDuplicates, {args.customers:,} customers",
        "embedded PostgreSQL 18; goal p95 <= 20 ms",
        lines,
        "Service: dedupe.customer_duplicates in a session of its own, as a request has;"
        " peer: search_customers on the probe's name in the same run. Found first: the"
        " customer a probe was made from is among its best matches (the seed gives many"
        " customers one name and e-mail, so ties are common); a probe that finds it lower,"
        " or below the review band (a name many customers bear and nothing else), counts"
        " as not found.",
    )


def report_scan(args: argparse.Namespace, seconds: float, job: Any, peak: int) -> None:
    rate = job.processed / seconds if seconds else 0
    entry = (
        f"full scan (DUPLICATE_SCAN job in process): {job.status}, {job.processed:,} "
        f"customers in {seconds:.0f} s ({rate:.0f}/s), candidate pairs {job.created:,} new and "
        f"{job.updated:,} seen again, "
        f"peak RSS {peak} MB (goal <= 10 min, <= 4 GB)"
    )
    print(entry)
    if not args.no_record:
        with results.RESULTS.open("a", encoding="utf-8") as out:
            out.write(f"- {entry}\n")


if __name__ == "__main__":
    main()
