"""Our local stack against upstream Paperclip on the same machine, same workload, interleaved rounds.

    .venv/bin/python -m bench.vs_upstream [--rounds 3] [--clients 4] [--cycles 10] [--issues 200]

Not part of `make test`. On first use it installs upstream from npm into `.cache/upstream/`
(`paperclipai@2026.916.1`, and the npm package `node@24.21.0`, because upstream needs Node >= 24.11;
the machine's Node is not touched). Upstream runs in local_trusted mode with its embedded PostgreSQL
under a temporary home; as root, embedded-postgres runs initdb and postgres as the `postgres` user, so
its data directory is created beforehand and handed to that user. Telemetry, update checks and
backups are switched off in its config (this machine has no network, and neither should be measured).
Ours is `python -m infra.local.run` (DynamoDB Local on disk, as `make run`).

Both servers run at once. Each gets the same world through its API (one company, one agent,
`--issues` issues), then in each round (order alternating) `--clients` threads, each with its own
keep-alive connection, run `--cycles` cycles of:

    health · get company · list agents · create issue · get issue · patch issue · list issues
    (limit 50) · add comment · list comments · put document (new key) · get document

Printed: p50/p95 per operation for each side (ms at the client) and the p50 ratio ours / upstream
(below 1.0: ours is faster), with the geometric mean of the ratios.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from infra.local.aws import free_port
from tests.infra.runner_process import ROOT, Runner

UPSTREAM = "paperclipai@2026.916.1"
NODE = "node@24.21.0"
CACHE = ROOT / ".cache" / "upstream"
OPERATIONS = ("health", "get company", "list agents", "create issue", "get issue", "patch issue", "list issues",
              "add comment", "list comments", "put document", "get document")


def install_upstream() -> Path:
    """`.cache/upstream/node_modules/.bin/paperclipai`, installed with npm on first use."""
    cli = CACHE / "node_modules" / ".bin" / "paperclipai"
    if not cli.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"installing {UPSTREAM} and {NODE} into {CACHE} (a few minutes) ...", flush=True)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-save", "--no-audit", "--no-fund",
                        "--loglevel=error", NODE, UPSTREAM], check=True)
    return cli


class Upstream:
    """Upstream's server (`paperclipai run`) under its own home directory and ports."""

    def __init__(self, home: Path, port: int):
        self.home, self.port = home, port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, cli: Path) -> "Upstream":
        instance = self.home / "instances" / "default"
        db = instance / "db"
        db.mkdir(parents=True)
        shutil.chown(db, "postgres", "postgres")  # as root, embedded-postgres runs as `postgres`
        (instance / "config.json").write_text(json.dumps(_upstream_config(instance, self.port, free_port()), indent=2))
        env = {**os.environ, "PORT": str(self.port), "PATH": f"{cli.parent.parent / 'node' / 'bin'}:{os.environ['PATH']}"}
        log = open(self.home / "server.log", "ab")
        # cwd: upstream reports the git state of its working directory; ours is not its business.
        self.process = subprocess.Popen([str(cli), "run", "--data-dir", str(self.home)], cwd=self.home, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.home / "server.log").read_text()[-3000:]
            try:
                if requests.get(f"{self.url}/api/health", timeout=5).json().get("status") == "ok":
                    return self
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)  # polling for the server to come up
        raise RuntimeError("upstream did not come up: " + (self.home / "server.log").read_text()[-3000:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _upstream_config(instance: Path, port: int, pg_port: int) -> dict:
    """The config `paperclipai onboard --yes` writes, with our ports and nothing that reaches out."""
    return {
        "$meta": {"version": 1, "updatedAt": "2026-11-29T00:00:00.000Z", "source": "onboard"},
        "database": {"mode": "embedded-postgres", "embeddedPostgresDataDir": str(instance / "db"),
                     "embeddedPostgresPort": pg_port,
                     "backup": {"enabled": False, "intervalMinutes": 60, "retentionDays": 30, "dir": str(instance / "data" / "backups")}},
        "logging": {"mode": "file", "logDir": str(instance / "logs")},
        "server": {"deploymentMode": "local_trusted", "exposure": "private", "bind": "loopback", "host": "127.0.0.1",
                   "port": port, "allowedHostnames": [], "serveUi": False},
        "telemetry": {"enabled": False},
        "updates": {"checkEnabled": False},
        "auth": {"baseUrlMode": "auto", "disableSignUp": False},
        "storage": {"provider": "local_disk", "localDisk": {"baseDir": str(instance / "data" / "storage")},
                    "s3": {"bucket": "paperclip", "region": "us-east-1", "prefix": "", "forcePathStyle": False}},
        "secrets": {"provider": "local_encrypted", "strictMode": False,
                    "localEncrypted": {"keyFilePath": str(instance / "secrets" / "master.key")}},
    }


def seed(base: str, issues: int) -> dict:
    api = f"{base}/api"
    cid = requests.post(f"{api}/companies", json={"name": "Bench Corp"}, timeout=60).json()["id"]
    requests.post(f"{api}/companies/{cid}/agents", json={"name": "Alice", "role": "engineer"}, timeout=60).raise_for_status()
    session = requests.Session()
    ids = []
    for n in range(issues):
        response = session.post(f"{api}/companies/{cid}/issues", json={"title": f"Issue {n}", "status": "todo"}, timeout=60)
        response.raise_for_status()
        ids.append(response.json()["id"])
    return {"cid": cid, "issueIds": ids}


def _client(base: str, world: dict, cycles: int, seed_value: int, samples: dict, errors: list) -> None:
    rnd = random.Random(seed_value)
    session = requests.Session()
    cid, api = world["cid"], f"{base}/api"

    def timed(op: str, method: str, path: str, ok: tuple[int, ...], **kw):
        started = time.perf_counter()
        try:
            response = session.request(method, f"{api}{path}", timeout=120, **kw)
            response.content  # read the whole body inside the measurement
        except requests.RequestException as exc:
            errors.append(f"{op}: {exc!r}")
            return None
        samples[op].append((time.perf_counter() - started) * 1000)
        if response.status_code not in ok:
            errors.append(f"{op}: {response.status_code} {response.text[:200]}")
            return None
        return response

    for cycle in range(cycles):
        iid = rnd.choice(world["issueIds"])
        key = f"k{seed_value}x{cycle}"
        timed("health", "GET", "/health", (200,))
        timed("get company", "GET", f"/companies/{cid}", (200,))
        timed("list agents", "GET", f"/companies/{cid}/agents", (200,))
        # Unique titles: upstream answers a repeated identical create with the first issue (200), which
        # would measure a dedupe lookup instead of a create.
        timed("create issue", "POST", f"/companies/{cid}/issues", (201,), json={"title": f"New one {key}", "status": "todo"})
        timed("get issue", "GET", f"/issues/{iid}", (200,))
        timed("patch issue", "PATCH", f"/issues/{iid}", (200,), json={"priority": rnd.choice(["low", "medium", "high"])})
        timed("list issues", "GET", f"/companies/{cid}/issues?limit=50", (200,))
        timed("add comment", "POST", f"/issues/{iid}/comments", (201,), json={"body": "a comment"})
        timed("list comments", "GET", f"/issues/{iid}/comments", (200,))
        timed("put document", "PUT", f"/issues/{iid}/documents/{key}", (200, 201),
              json={"title": "Plan", "format": "markdown", "body": "# Plan\n" + "step\n" * 200})
        timed("get document", "GET", f"/issues/{iid}/documents/{key}", (200,))


def _round(base: str, world: dict, clients: int, cycles: int, round_no: int):
    samples = {op: [] for op in OPERATIONS}
    errors: list[str] = []
    threads = [threading.Thread(target=_client, args=(base, world, cycles, round_no * 100 + i, samples, errors))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, errors


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (MB)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True, text=True).stdout.split("\n")
    rows = [tuple(map(int, line.split())) for line in out if line.strip()]
    family, grew = {pid}, True
    while grew:
        grew = False
        for p, pp, _ in rows:
            if pp in family and p not in family:
                family.add(p)
                grew = True
    return sum(rss for p, _, rss in rows if p in family) / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--issues", type=int, default=200)
    args = parser.parse_args()
    cli = install_upstream()
    workdir = Path(tempfile.mkdtemp(prefix="bench-vs-upstream-"))
    os.chmod(workdir, 0o755)  # the postgres user must reach upstream's data directory
    sides = {"ours": Runner(workdir / "ours", LOG_LEVEL="WARNING", PAPERCLIP_DYNAMODB_JAVA_OPTS=""), "upstream": Upstream(workdir / "upstream", free_port())}
    worlds = {}
    try:
        sides["ours"].start()
        sides["upstream"].start(cli)
        for name, side in sides.items():
            started = time.perf_counter()
            worlds[name] = seed(side.url, args.issues)
            print(f"{name}: seeded {args.issues} issues through the API in {time.perf_counter() - started:.1f} s", flush=True)
        for name, side in sides.items():
            _round(side.url, worlds[name], args.clients, 1, 0)  # warm-up
        totals = {name: {op: [] for op in OPERATIONS} for name in sides}
        errors = {name: [] for name in sides}
        for round_no in range(1, args.rounds + 1):
            order = ("ours", "upstream") if round_no % 2 else ("upstream", "ours")
            for name in order:
                samples, errs = _round(sides[name].url, worlds[name], args.clients, args.cycles, round_no)
                for op in OPERATIONS:
                    totals[name][op] += samples[op]
                errors[name] += errs
            print(f"round {round_no} done", flush=True)
        memory = {name: _rss_mb(side.process.pid) for name, side in sides.items()}
        _report(totals, errors, memory, args)
    finally:
        for side in sides.values():
            side.stop()
    return 0


def _report(totals: dict, errors: dict, memory: dict, args) -> None:
    print(f"\n{args.clients} concurrent clients, {args.rounds} interleaved rounds of {args.cycles} cycles per client, "
          f"{args.issues} issues in the company; ms at the client\n")
    print("| operation | ours p50 | ours p95 | upstream p50 | upstream p95 | p50 ratio ours/upstream |")
    print("|---|---|---|---|---|---|")
    ratios = []
    for op in OPERATIONS:
        ours, up = totals["ours"][op], totals["upstream"][op]
        ratio = _pct(ours, 50) / _pct(up, 50)
        ratios.append(ratio)
        print(f"| {op} | {_pct(ours, 50):.1f} | {_pct(ours, 95):.1f} | {_pct(up, 50):.1f} | {_pct(up, 95):.1f} | {ratio:.2f} |")
    print(f"\ngeometric mean of the p50 ratios: {math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}")
    for name in totals:
        print(f"{name}: {sum(map(len, totals[name].values()))} requests, {len(errors[name])} errors"
              f"{': ' + '; '.join(errors[name][:3]) if errors[name] else ''}; resident memory after the run {memory[name]:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
