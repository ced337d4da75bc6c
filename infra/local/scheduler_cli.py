"""The scheduler, seen from the command line, against the running `make run` stack.

    make due                   # schedule triggers due now or within the next 60 minutes
    make due WITHIN=1440       # ... within the next day
    make tick                  # fire a tick now (the same `scheduler.tick` the minute loop and the
                               # Lambda call), print its counts

It reads the runner's endpoints from `<data dir>/stack.json` (PAPERCLIP_DATA_DIR, default .data/).
`due` reads the same sparse "due" index the tick reads (one Query per shard), so what it lists is
exactly what a tick at that time would look at. A tick fired by hand and the runner's own minute tick
may overlap: exactly-once holds all the same (each nominal tick commits once, SPEC §7).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta


def due_triggers(now: datetime, within_minutes: int) -> list[dict]:
    """Triggers in the due index with `next_run_at <= now + within`, soonest first.

    Shape of each: {"triggerId", "routineId", "label", "cron", "timezone", "nextRunAt", "dueNow"}."""
    from chalicelib.clock import iso
    from chalicelib.config import settings
    from chalicelib.store.routines import RoutineTrigger

    horizon = iso(now + timedelta(minutes=within_minutes))
    found = []
    for shard in range(settings().scheduler_shards):
        for trigger in RoutineTrigger.due.query(str(shard), RoutineTrigger.next_run_at <= horizon):
            found.append({"triggerId": trigger.id, "routineId": trigger.routine_id, "label": trigger.label,
                          "cron": trigger.cron_expression, "timezone": trigger.timezone,
                          "nextRunAt": trigger.next_run_at, "dueNow": trigger.next_run_at <= iso(now)})
    return sorted(found, key=lambda t: (t["nextRunAt"], t["triggerId"]))


def tick_now(clock) -> dict:
    """One scheduler tick at clock.now(); returns its report (due, fired, dropped, lost, errors, more)."""
    from dataclasses import asdict

    from chalicelib.services.routines import scheduler

    return asdict(scheduler.tick(clock))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.scheduler_cli")
    sub = parser.add_subparsers(dest="command", required=True)
    due = sub.add_parser("due", help="list schedule triggers due now or soon")
    due.add_argument("--within", type=int, default=60, help="minutes ahead to include (default 60)")
    sub.add_parser("tick", help="fire a scheduler tick now")
    args = parser.parse_args(argv)

    from infra.local import stack_file

    info = stack_file.read()
    if info is None:
        print(f"error: no local stack is running on {stack_file.data_dir()}: start it with `make run`", file=sys.stderr)
        return 2
    os.environ.update(stack_file.client_env(info))
    os.environ["LOG_LEVEL"] = "WARNING"  # the report is printed below, once
    from chalicelib import clock

    if args.command == "due":
        triggers = due_triggers(clock.current().now(), args.within)
        for t in triggers:
            mark = "DUE " if t["dueNow"] else "    "
            print(f"{mark}{t['nextRunAt']}  {t['cron']} ({t['timezone']})  trigger {t['triggerId']}  routine {t['routineId']}"
                  + (f"  [{t['label']}]" if t["label"] else ""))
        print(f"{sum(t['dueNow'] for t in triggers)} due now, {len(triggers)} within {args.within} min")
        return 0
    print(json.dumps(tick_now(clock.current())))  # the tick's own log line is off: this is the same report
    return 0


if __name__ == "__main__":
    sys.exit(main())
