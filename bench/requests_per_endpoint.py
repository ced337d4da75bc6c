"""DynamoDB requests per API call, authentication included, next to SPEC §8's targets.

    .venv/bin/python -m bench.requests_per_endpoint

Requests are counted through botocore's before-call events (chalicelib/store/request_count.py), by
operation. Every route of /api/openapi.json must have a case in bench/cases/ (the run stops, naming the
routes without one). List endpoints are measured at page sizes 1, 10 and 50 over a collection of at
least 50 items: the count must not grow with the page (no N+1).
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass

from bench.cases import CASES, LISTINGS
from bench.cases.shapes import Call, Case, Listing, send
from bench.harness import Response, World, bench_world
from bench.table import markdown_table

PAGE_SIZES = (1, 10, 50)


def _hook_health_probe() -> None:
    """GET /api/health asks DynamoDB through its own short-timeout client: count that one too."""
    from chalicelib.services import health
    from chalicelib.store.request_count import hook_client

    hook_client(health._probe_client())


def count_call(world: World, call: Call) -> tuple[Counter, Response]:
    from chalicelib.store.request_count import counting

    _hook_health_probe()
    with counting() as counter:
        response = send(world, call)
    return Counter(counter), response


def count_case(world: World, case: Case) -> Counter:
    return count_call(world, case.prepare(world))[0]


@dataclass
class PageCount:
    size: int
    items: int
    requests: Counter


def count_listing(world: World, listing: Listing, sizes=PAGE_SIZES) -> list[PageCount]:
    counts = []
    for size in sizes:
        path, token = listing.collection(world, max(sizes) if listing.paged else size)
        if listing.paged:
            path += ("&" if "?" in path else "?") + f"limit={size}"
        requests, response = count_call(world, Call("GET", path, token))
        counts.append(PageCount(size, len(response.json), requests))
    return counts


def documented_routes(world: World) -> set[tuple[str, str]]:
    document = send(world, Call("GET", "/api/openapi.json", None)).json
    return {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}


def coverage_problems(world: World) -> list[str]:
    measured = {(c.method, c.route) for c in CASES} | {("GET", l.route) for l in LISTINGS}
    documented = documented_routes(world)
    return ([f"no bench case for {m} {p} (add one under bench/cases/)" for m, p in sorted(documented - measured)]
            + [f"bench case for {m} {p}, which the OpenAPI document does not list" for m, p in sorted(measured - documented)])


def breakdown(counter: Counter) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def verdict(total: int, target: int | None) -> str:
    return "-" if target is None else ("yes" if total <= target else "**NO**")


def main() -> int:
    with bench_world() as world:
        problems = coverage_problems(world)
        if problems:
            print("Routes without a benchmark case:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        listed = [(listing, count_listing(world, listing)) for listing in LISTINGS]
        measured = [(case, count_case(world, case)) for case in CASES]

    rows = [(c.method, c.route, c.principal, c.situation or "-", sum(n.values()), breakdown(n),
             c.target if c.target is not None else "-", verdict(sum(n.values()), c.target)) for c, n in measured]
    print("DynamoDB requests per call (auth included)\n")
    print(markdown_table(("method", "path", "principal", "situation", "requests", "by operation", "target", "within"), rows))

    list_rows = []
    for listing, pages in listed:
        totals = [sum(p.requests.values()) for p in pages]
        list_rows.append(("GET", listing.route, listing.principal, " / ".join(str(p.items) for p in pages),
                          " / ".join(map(str, totals)), breakdown(pages[-1].requests),
                          "yes" if len(set(totals)) == 1 else "**NO (grows)**"))
    print(f"\nList endpoints at page sizes {' / '.join(map(str, PAGE_SIZES))} (unpaged lists: collections of that size)\n")
    print(markdown_table(("method", "path", "principal", "items returned", "requests", "by operation (largest)",
                          "constant"), list_rows))

    over = [r for r in rows if r[-1] == "**NO**"] + [r for r in list_rows if r[-1] != "yes"]
    print("\n" + ("Over target or growing: " + "; ".join(f"{r[0]} {r[1]} ({r[2]}, {r[3]})" for r in over)
                  if over else "Every SPEC §8 target is met; no list grows with its page."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
