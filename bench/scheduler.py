"""Scheduler benchmark (SPEC §7–8): one tick over N routines of which M are due.

Seeds routines with schedule triggers into the embedded moto server (one routine per kind through the
API, cloned with infra/local/seed.py), then runs `scheduler.tick` at chosen instants of a fake clock and
reports wall time, DynamoDB requests (by operation) and dispatches per second:

- N = 1,000 and 10,000 with nothing due: the request count must be the number of index shards,
  whatever N is (no Scan, no per-routine work);
- N = 10,000 with M = 100 and M = 1,000 due.

Run: `.venv/bin/python -m bench.scheduler` (about a minute or two: seeding 10,000 routines dominates).
Wall times are those of the moto server on this machine, not of DynamoDB: compare the request counts.
"""
from __future__ import annotations

import sys
import time
from datetime import timedelta

from bench.harness import app_client, build_world, expect, fixed_clock, local_aws
from bench.table import markdown_table

TOTAL = 10_000
SMALL = 1_000
DUE_SOON, DUE_LATER = 100, 1_000


def _schedule_routine(world, title: str, cron: str) -> str:
    routine = world.post(f"/api/companies/{world.cid}/routines",
                         {"title": title, "projectId": world.project, "assigneeAgentId": world.alice})
    expect(world.client.call("POST", f"/api/routines/{routine['id']}/triggers",
                             {"kind": "schedule", "cronExpression": cron}, token=world.board), 201, "trigger")
    return routine["id"]


def _clone(template: str, copies: int) -> None:
    from infra.local.seed import clone_routine

    if copies > 0:
        clone_routine(template, copies)


def _measure(clock, label_n: int, label_m: int, expected_fires: int) -> list:
    from chalicelib.config import settings
    from chalicelib.services.routines import scheduler
    from chalicelib.store.request_count import counting

    with counting() as calls:
        started = time.perf_counter()
        report = scheduler.tick(clock)
        elapsed = time.perf_counter() - started
    if report.fired != expected_fires or report.errors or report.more:
        raise AssertionError(f"N={label_n} M={label_m}: expected {expected_fires} fires, got {report}")
    total = sum(calls.values())
    by_op = ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
    per_fire = f"{total / report.fired:.1f}" if report.fired else "—"
    rate = f"{report.fired / elapsed:.0f}" if report.fired else "—"
    within = "yes" if label_m or total <= settings().scheduler_shards else "NO"
    return [f"{label_n:,}", f"{label_m:,}", f"{elapsed:.2f}", total, by_op, per_fire, rate,
            within if not label_m else "—"]


def main() -> int:
    with local_aws(), fixed_clock() as clock, app_client() as client:
        from chalicelib.config import settings

        world = build_world(client)
        start = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
        clock.set(start)
        idle = _schedule_routine(world, "Yearly review", "0 9 1 1 *")  # never due during the benchmark
        soon = _schedule_routine(world, "Daily 13:00", "0 13 * * *")
        later = _schedule_routine(world, "Daily 14:00", "0 14 * * *")

        print(f"seeding {SMALL:,} idle routines …", file=sys.stderr)
        _clone(idle, SMALL - 3)
        clock.set(start + timedelta(minutes=30))
        rows = [_measure(clock, SMALL, 0, 0)]

        print(f"seeding up to {TOTAL:,} routines ({DUE_SOON} due at 13:00, {DUE_LATER:,} at 14:00) …", file=sys.stderr)
        _clone(soon, DUE_SOON - 1)
        _clone(later, DUE_LATER - 1)
        _clone(idle, TOTAL - SMALL - DUE_SOON - DUE_LATER + 2)
        clock.set(start + timedelta(minutes=31))
        rows.append(_measure(clock, TOTAL, 0, 0))
        clock.set(start + timedelta(hours=1, seconds=2))
        rows.append(_measure(clock, TOTAL, DUE_SOON, DUE_SOON))
        clock.set(start + timedelta(hours=2, seconds=2))
        rows.append(_measure(clock, TOTAL, DUE_LATER, DUE_LATER))

        print(f"\nScheduler tick ({settings().scheduler_shards} index shards; "
              f"target for an empty tick: ≤ {settings().scheduler_shards} requests)\n")
        print(markdown_table(["routines N", "due M", "tick s", "DynamoDB requests", "by operation",
                              "requests / fire", "dispatches / s", "empty tick ≤ shards"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
