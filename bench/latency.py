"""In-process latency per endpoint against the embedded moto server: p50 and p95 of N calls.

    .venv/bin/python -m bench.latency [--reps 30]

Each case's set-up runs before every call and is not timed; one extra call per case warms it up and is
dropped. The time is the whole request through chalice.test (routing, validation, auth, the service,
serialization) with every DynamoDB, S3 and KMS request going over loopback HTTP to moto. Moto answers
far slower than DynamoDB does, so read the figures relative to each other and to the first row (one
bare GetItem against the same server).
"""
from __future__ import annotations

import argparse
import math
import sys
import time

from bench.cases import CASES, LISTINGS
from bench.cases.shapes import Call
from bench.harness import World, bench_world
from bench.requests_per_endpoint import coverage_problems
from bench.table import markdown_table

LIST_PAGE = 50


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed(world: World, prepare, reps: int) -> list[float]:
    samples = []
    for _ in range(reps + 1):
        call = prepare(world)
        started = time.perf_counter()
        response = world.client.call(call.method, call.path, call.body, token=call.token, run_id=call.run_id,
                                     raw=call.raw, headers=call.headers)
        elapsed = time.perf_counter() - started
        if response.status != call.status:
            raise AssertionError(f"{call.method} {call.path}: {response.status} {response.body[:200]!r}")
        samples.append(elapsed * 1000)
    return samples[1:]


def bare_get_item(world: World, reps: int) -> list[float]:
    """One GetItem through PynamoDB against the same moto server: the floor under every row."""
    from chalicelib.store.companies import Company

    samples = []
    for _ in range(reps + 1):
        started = time.perf_counter()
        Company.get(world.cid)
        samples.append((time.perf_counter() - started) * 1000)
    return samples[1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency")
    parser.add_argument("--reps", type=int, default=30, help="timed calls per endpoint (default 30)")
    reps = parser.parse_args(argv).reps
    rows = []

    def row(method: str, path: str, principal: str, situation: str, samples: list[float]) -> None:
        rows.append((method, path, principal, situation, f"{percentile(samples, 50):.1f}", f"{percentile(samples, 95):.1f}",
                     f"{max(samples):.1f}"))

    with bench_world() as world:
        problems = coverage_problems(world)
        if problems:
            print("Routes without a benchmark case:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        row("-", "(one DynamoDB GetItem, no API)", "-", "moto round trip", bare_get_item(world, reps))
        for case in CASES:
            if case.repeatable:
                row(case.method, case.route, case.principal, case.situation or "-", timed(world, case.prepare, reps))
        for listing in LISTINGS:
            def prepare(w: World, listing=listing) -> Call:
                path, token = listing.collection(w, LIST_PAGE)
                return Call("GET", path + (f"?limit={LIST_PAGE}" if listing.paged else ""), token)

            row("GET", listing.route, listing.principal, f"{LIST_PAGE} items", timed(world, prepare, reps))

    print(f"In-process latency in ms, {reps} calls each (embedded moto server; set-up not timed)\n")
    print(markdown_table(("method", "path", "principal", "situation", "p50 ms", "p95 ms", "max ms"), rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
