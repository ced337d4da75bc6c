"""DynamoDB engines side by side under `make run`: the patched moto server against Amazon DynamoDB Local.

    .venv/bin/python -m bench.engines [--issues 10000] [--clients 16] [--rounds 3] [--cycles 6]

Both runners (`python -m infra.local.run`, one per engine, each on its own data directory and port)
run at once on this machine. Each is seeded with one company holding `--issues` issues (one issue
made through the API, then cloned straight into the table with BatchWriteItem, as the scheduler
benchmark does for routines: 10,000 API calls would measure the seeding, not the engine). Then, in
interleaved rounds (moto first in odd rounds, DynamoDB Local first in even ones), `--clients` threads,
each with its own keep-alive connection, run `--cycles` cycles of the same six calls against one
runner at a time:

    get issue · list issues (limit 50) · create issue · add comment · patch issue · health

Printed per engine: requests per second over the measured rounds, and p50/p95 per operation and
overall (ms, client side). Authentication is local_trusted (no token), as `make run` defaults to.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from tests.infra.runner_process import ROOT, Runner

ENGINES = ("moto", "dynamodb-local")
OPERATIONS = ("get issue", "list issues", "create issue", "add comment", "patch issue", "health")


def seed(issues: int) -> dict:
    """In a child process pointed at one runner (`--seed`): a company with `issues` issues."""
    from infra.local import stack_file

    info = stack_file.read()
    os.environ.update(stack_file.client_env(info))
    from chalicelib.ids import new_id
    from chalicelib.store.issues import Issue, list_sort_key

    api = info["api"] + "/api"
    cid = requests.post(f"{api}/companies", json={"name": "Bench Corp"}, timeout=60).json()["id"]
    template = requests.post(f"{api}/companies/{cid}/issues", json={"title": "Template", "status": "todo"}, timeout=60).json()
    item = Issue.get(template["id"], consistent_read=True)
    prefix = item.identifier.split("-")[0]
    ids = [template["id"]]
    with Issue.batch_write() as batch:
        for n in range(2, issues + 1):
            clone = Issue.from_raw_data(item.serialize())
            clone.id, clone.identifier, clone.title = new_id(), f"{prefix}-{n + 1000}", f"Issue {n}"
            clone.list_sort = list_sort_key(clone.priority, 1_700_000_000_000 + n, clone.id)
            batch.save(clone)
            ids.append(clone.id)
    return {"cid": cid, "issueIds": random.Random(7).sample(ids, min(500, len(ids)))}


def _client(base: str, world: dict, cycles: int, seed_value: int, samples: dict[str, list[float]], errors: list[str]) -> None:
    rnd = random.Random(seed_value)
    session = requests.Session()
    cid = world["cid"]

    def timed(op: str, method: str, path: str, ok: int, **kw) -> dict | None:
        started = time.perf_counter()
        try:
            response = session.request(method, f"{base}/api{path}", timeout=120, **kw)
        except requests.RequestException as exc:
            errors.append(f"{op}: {exc!r}")
            return None
        samples[op].append((time.perf_counter() - started) * 1000)
        if response.status_code != ok:
            errors.append(f"{op}: {response.status_code} {response.text[:200]}")
            return None
        return response.json()

    for _ in range(cycles):
        iid = rnd.choice(world["issueIds"])
        timed("get issue", "GET", f"/issues/{iid}", 200)
        timed("list issues", "GET", f"/companies/{cid}/issues?limit=50", 200)
        timed("create issue", "POST", f"/companies/{cid}/issues", 201, json={"title": "New one", "status": "todo"})
        timed("add comment", "POST", f"/issues/{iid}/comments", 201, json={"body": "a comment"})
        timed("patch issue", "PATCH", f"/issues/{iid}", 200, json={"priority": rnd.choice(["low", "medium", "high"])})
        timed("health", "GET", "/health", 200)


def _round(runner: Runner, world: dict, clients: int, cycles: int, round_no: int) -> tuple[dict, float, list[str]]:
    samples: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    errors: list[str] = []
    threads = [threading.Thread(target=_client, args=(runner.url, world, cycles, round_no * 100 + i, samples, errors))
               for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - started, errors


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=6)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        print(json.dumps(seed(args.issues)))
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    runners = {engine: Runner(workdir / engine, PAPERCLIP_DYNAMODB_ENGINE=engine, LOG_LEVEL="WARNING",
                                PAPERCLIP_DYNAMODB_JAVA_OPTS="") for engine in ENGINES}
    worlds: dict[str, dict] = {}
    try:
        for engine, runner in runners.items():
            runner.start()
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "bench.engines", "--seed", "--issues", str(args.issues)],
                                 cwd=ROOT, env=runner.env, capture_output=True, text=True, check=True)
            worlds[engine] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{engine}: seeded {args.issues} issues in {time.perf_counter() - started:.1f} s", flush=True)
        for engine, runner in runners.items():  # warm-up: JIT, connection pools, caches
            _round(runner, worlds[engine], args.clients, 1, 0)
        totals = {engine: {"samples": {op: [] for op in OPERATIONS}, "seconds": 0.0, "errors": []} for engine in ENGINES}
        for round_no in range(1, args.rounds + 1):
            order = ENGINES if round_no % 2 else tuple(reversed(ENGINES))
            for engine in order:
                samples, seconds, errors = _round(runners[engine], worlds[engine], args.clients, args.cycles, round_no)
                for op in OPERATIONS:
                    totals[engine]["samples"][op] += samples[op]
                totals[engine]["seconds"] += seconds
                totals[engine]["errors"] += errors
                print(f"round {round_no} {engine}: {sum(map(len, samples.values())) / seconds:.1f} req/s", flush=True)
        _report(totals, args)
    finally:
        for runner in runners.values():
            if runner.process and runner.process.poll() is None:
                runner.stop()
    return 0


def _report(totals: dict, args) -> None:
    print(f"\n{args.clients} concurrent clients, {args.issues:,} issues in the company, {args.rounds} interleaved rounds "
          f"of {args.cycles} cycles per client; ms at the client\n")
    header = "| operation | " + " | ".join(f"{e} p50 | {e} p95" for e in ENGINES) + " | p50 ratio moto / DynamoDB Local |"
    print(header)
    print("|" + "---|" * (2 + 2 * len(ENGINES)))
    for op in OPERATIONS + ("all",):
        cells, p50s = [], {}
        for engine in ENGINES:
            values = (sum(totals[engine]["samples"].values(), []) if op == "all" else totals[engine]["samples"][op])
            p50s[engine] = _pct(values, 50)
            cells.append(f"{p50s[engine]:.1f} | {_pct(values, 95):.1f}")
        print(f"| {op} | " + " | ".join(cells) + f" | {p50s['moto'] / p50s['dynamodb-local']:.2f} |")
    print()
    for engine in ENGINES:
        count = sum(map(len, totals[engine]["samples"].values()))
        errors = totals[engine]["errors"]
        print(f"{engine}: {count} requests in {totals[engine]['seconds']:.1f} s = {count / totals[engine]['seconds']:.1f} req/s; "
              f"{len(errors)} errors{': ' + '; '.join(errors[:3]) if errors else ''}")


if __name__ == "__main__":
    sys.exit(main())
