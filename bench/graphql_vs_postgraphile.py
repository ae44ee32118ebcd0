"""Benchmark: clientbase against PostGraphile 4 on the same database and machine.

    npm install --prefix bench/.node postgraphile@4      # once; bench/.node is not committed
    .venv/bin/python bench/graphql_vs_postgraphile.py [--customers 2000] [--duration 15]
                                                      [--connections 8] [--data-dir DIR]

Starts embedded PostgreSQL and Redis (bench/typeahead.py's bench_servers), seeds the bench
tenant, then serves it three ways, one process each: clientbase with compiled reads (the
default), clientbase with every field through its resolver (CLIENTBASE_COMPILED_READS=0),
and PostGraphile as the application role with app.tenant_id set per request (so row-level
security applies to both). Each scenario (a customer by id; by id again, the id a variable
that takes every customer's id in turn; a customer 360 page of 100 customers with
contacts, sites and contracts; a typeahead) runs for --duration seconds per server under
wrk with --connections connections. Prints req/s, p50 and p99 and the ratio to
PostGraphile, appends them to bench/RESULTS.md and plots bench/graphql_vs_postgraphile.png.
PostGraphile has no ranked typeahead: it gets a prefix search on the stored name key as a
SQL function, which does less work than customerSearch. Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from typeahead import bench_servers, reader_key, seeded_tenant  # noqa: E402

PAGE_360 = """{ customers(first: 100) { nodes { id code legalName status email phone
  contacts(first: 10) { nodes { id fullName email phone isPrimary } }
  sites(first: 10) { nodes { id name address { city postalCode country } } }
  contracts(first: 10) { nodes { id number status startsOn endsOn } } } } }"""
PG_360 = """{ allCustomers(first: 100, orderBy: [CODE_ASC, ID_ASC]) { nodes { id code legalName
  status email phone
  contactsByTenantIdAndCustomerId(first: 10, orderBy: [FULL_NAME_ASC, ID_ASC]) { nodes {
    id fullName email phone isPrimary } }
  sitesByTenantIdAndCustomerId(first: 10, orderBy: [NAME_ASC, ID_ASC]) { nodes {
    id name addressCity addressPostalCode addressCountry } }
  contractsByTenantIdAndCustomerId(first: 10, orderBy: [NUMBER_ASC, ID_ASC]) { nodes {
    id number status startsOn endsOn } } } } }"""
BY_ID = '{ node(id: "%s") { ... on Customer { id code legalName status email phone } } }'
PG_BY_ID = '{ customerById(id: "%s") { id code legalName status email phone } }'
BY_ID_VARIABLE = """query One($id: ID!) { node(id: $id) {
  ... on Customer { id code legalName status email phone } } }"""
PG_BY_ID_VARIABLE = """query One($id: UUID!) { customerById(id: $id) {
  id code legalName status email phone } }"""
SEARCH = '{ customerSearch(query: "%s") { customer { id code legalName } score } }'
PG_SEARCH = '{ benchSearch(q: "%s", first: 20) { nodes { id code legalName } } }'
# A plain prefix search for PostGraphile, in a schema of its own so `public` stays as it is.
SEARCH_FUNCTION = """
CREATE SCHEMA IF NOT EXISTS bench;
CREATE OR REPLACE FUNCTION bench.bench_search(q text) RETURNS SETOF public.customer
  LANGUAGE sql STABLE AS $$
  SELECT * FROM public.customer WHERE name_key LIKE lower(q) || '%' ORDER BY name_key, id $$;
GRANT USAGE ON SCHEMA bench TO clientbase_app;
GRANT EXECUTE ON FUNCTION bench.bench_search(text) TO clientbase_app;
"""
WRK_SCRIPT = """wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
%s
"""
# Each request the next of many bodies (the same query, other variables), in turn.
WRK_ROTATING = """
bodies = { %s }
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter %% #bodies) + 1])
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(url: str, query: str, headers: dict[str, str], variables: Any = None) -> dict[str, Any]:
    """One request; the JSON answer whatever the status (a 400 carries its errors)."""
    body = {"query": query, "variables": variables or {}}
    response = httpx.post(url, json=body, headers=headers, timeout=60)
    return response.json()  # type: ignore[no-any-return]


def wait_ready(
    url: str, query: str, headers: dict[str, str], process: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({process.returncode})")
        try:
            post(url, query, headers)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in 60 s")


def leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(leaves(v) for v in value)
    return 1


Request = str | tuple[str, list[dict[str, Any]]]  # a query, or a query and its variables


def bodies(request: Request) -> list[str]:
    if isinstance(request, str):
        return [json.dumps({"query": request})]
    query, variables = request
    return [json.dumps({"query": query, "variables": v}) for v in variables]


def wrk(
    url: str, request: Request, headers: dict[str, str], seconds: int, connections: int
) -> dict[str, float]:
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    texts = [json.dumps(body) for body in bodies(request)]  # Lua string literals
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (texts[0], lines))
        if len(texts) > 1:
            script.write(WRK_ROTATING % ", ".join(texts))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "60s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{url}: non-2xx answers\n{out}")

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert found, out
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
        return float(found.group(1)) * scale

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rps, out
    return {"rps": float(rps.group(1)), "p50": ms("50"), "p99": ms("99")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    node_bin = BENCH / ".node" / "node_modules" / "postgraphile"
    if not node_bin.exists():
        sys.exit("PostGraphile is missing: npm install --prefix bench/.node postgraphile@4")
    with bench_servers(args.data_dir) as (owner_url, app_url), ExitStack() as stack:
        tenant_id, _ = asyncio.run(seeded_tenant(app_url, owner_url, args.customers))
        secret = asyncio.run(reader_key("postgraphile bench"))
        asyncio.run(_prepare(owner_url))
        headers = {"Authorization": f"Bearer {secret}"}
        servers = _start(stack, app_url, tenant_id, headers)
        sample = post(
            servers["clientbase"][0],
            "{ customers(first: 1, after: null) { nodes { id legalName } } }",
            headers,
        )["data"]["customers"]["nodes"][0]
        from clientbase.schema.ids import from_global_id

        row_id = from_global_id(sample["id"])[1]
        term = sample["legalName"].split()[0][:4]
        ids = every_id(servers["clientbase"][0], headers)
        many = [{"id": i} for i in ids]
        pg_many = [{"id": str(from_global_id(i)[1])} for i in ids]
        scenarios: dict[str, dict[str, Request]] = {
            "by id": {
                "clientbase": BY_ID % sample["id"],
                "resolvers": BY_ID % sample["id"],
                "postgraphile": PG_BY_ID % row_id,
            },
            f"by id, {len(ids)} ids": {
                "clientbase": (BY_ID_VARIABLE, many),
                "resolvers": (BY_ID_VARIABLE, many),
                "postgraphile": (PG_BY_ID_VARIABLE, pg_many),
            },
            "customer 360 (100)": {
                "clientbase": PAGE_360,
                "resolvers": PAGE_360,
                "postgraphile": PG_360,
            },
            "typeahead": {
                "clientbase": SEARCH % term,
                "resolvers": SEARCH % term,
                "postgraphile": PG_SEARCH % term,
            },
        }
        results: dict[str, dict[str, dict[str, float]]] = {}
        for scenario, queries in scenarios.items():
            results[scenario] = {}
            for name, request in queries.items():
                url, auth = servers[name]
                query, variables = (request, None) if isinstance(request, str) else (
                    request[0], request[1][0])  # fmt: skip
                answer = post(url, query, auth, variables)
                assert "errors" not in answer, (name, answer)
                figures = wrk(url, request, auth, args.duration, args.connections)
                figures["leaves"] = leaves(answer["data"])
                results[scenario][name] = figures
                print(
                    f"{scenario:20} {name:12} {figures['rps']:8.1f} req/s  p50 "
                    f"{figures['p50']:7.1f} ms  p99 {figures['p99']:7.1f} ms  "
                    f"({figures['leaves']} leaves)",
                    flush=True,
                )
    command = "python bench/graphql_vs_postgraphile.py " + " ".join(sys.argv[1:])
    report(results, command.strip(), args)
    plot(results)


def every_id(url: str, headers: dict[str, str]) -> list[str]:
    """The global ids of every customer of the bench tenant."""
    page = """query($after: String) { customers(first: 100, after: $after) {
      nodes { id } pageInfo { hasNextPage endCursor } } }"""
    ids, after = [], None
    while True:
        found = post(url, page, headers, {"after": after})["data"]["customers"]
        ids += [node["id"] for node in found["nodes"]]
        if not found["pageInfo"]["hasNextPage"]:
            return ids
        after = found["pageInfo"]["endCursor"]


async def _prepare(owner_url: str) -> None:
    """PostGraphile's search function; and the keys' last use stamped, as the worker (not
    running here) would, so requests do not each queue a usage stamp."""
    from sqlalchemy import text

    from clientbase.core.db import create_engine

    engine = create_engine(owner_url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as conn:
            for statement in SEARCH_FUNCTION.split(";\n"):
                if statement.strip():
                    await conn.execute(text(statement))
            await conn.execute(text("UPDATE api_key SET last_used_at = now()"))
    finally:
        await engine.dispose()


def _start(
    stack: ExitStack, app_url: str, tenant_id: Any, headers: dict[str, str]
) -> dict[str, tuple[str, dict[str, str]]]:
    """Start the three servers; their URLs and the headers each needs."""
    servers: dict[str, tuple[str, dict[str, str]]] = {}
    for name, compiled in (("clientbase", "1"), ("resolvers", "0")):
        port = free_port()
        # No per-minute query cost budget: every timed request must run, not be refused.
        env = {
            **os.environ,
            "CLIENTBASE_COMPILED_READS": compiled,
            "CLIENTBASE_QUERY_COST_PER_MINUTE": "0",
        }
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/clientbase"), "serve", "--port", str(port)], env=env
        )
        stack.callback(_stop, process)
        servers[name] = (f"http://127.0.0.1:{port}/graphql", headers)
        wait_ready(servers[name][0], "{ __typename }", headers, process)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app_url,
        "TENANT_ID": str(tenant_id),
        "PORT": str(port),
        "SCHEMAS": "public,bench",
    }
    process = subprocess.Popen(["node", str(BENCH / "postgraphile_server.js")], env=env)
    stack.callback(_stop, process)
    servers["postgraphile"] = (f"http://127.0.0.1:{port}/graphql", {})
    wait_ready(servers["postgraphile"][0], "{ __typename }", {}, process)
    return servers


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def report(
    results: dict[str, dict[str, dict[str, float]]], command: str, args: argparse.Namespace
) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## GraphQL vs PostGraphile 4 ({stamp})",
        "",
        f"`{command}`",
        "",
        f"{args.customers} customers seeded; wrk -t2 -c{args.connections} "
        f"-d{args.duration}s per row; one server process each, loopback, 2 cores.",
        "",
        "| scenario | server | req/s | p50 ms | p99 ms | leaves | vs PostGraphile |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scenario, by_server in results.items():
        base = by_server["postgraphile"]["rps"]
        for name, f in by_server.items():
            lines.append(
                f"| {scenario} | {name} | {f['rps']:.1f} | {f['p50']:.1f} | "
                f"{f['p99']:.1f} | {f['leaves']:.0f} | {f['rps'] / base:.2f}x |"
            )
    text = "\n".join(lines) + "\n"
    print(text)
    with (BENCH / "RESULTS.md").open("a") as out:
        out.write(text)


def plot(results: dict[str, dict[str, dict[str, float]]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = list(results)
    names = list(next(iter(results.values())))
    figure, axes = plt.subplots(1, len(scenarios), figsize=(4 * len(scenarios), 4))
    for axis, scenario in zip(axes, scenarios, strict=True):
        values = [results[scenario][n]["rps"] for n in names]
        axis.bar(names, values, color=["tab:green", "tab:gray", "tab:blue"][: len(names)])
        axis.set_title(scenario)
        axis.set_ylabel("requests/s")
        for index, value in enumerate(values):
            axis.annotate(f"{value:.0f}", (index, value), ha="center", va="bottom")
    figure.tight_layout()
    figure.savefig(BENCH / "graphql_vs_postgraphile.png", dpi=100)
    print(f"plot: {BENCH / 'graphql_vs_postgraphile.png'}")


if __name__ == "__main__":
    main()
