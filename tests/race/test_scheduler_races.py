"""Exactly once per nominal tick when ticks overlap: 8 concurrent ticks over 200 due triggers (SPEC §7).

The ticks run in threads of this process against the moto *server*, like 8 Lambda invocations.
"""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from chalicelib.clock import FakeClock
from chalicelib.services.routines import scheduler
from chalicelib.store.issues import Issue
from chalicelib.store.routines import RoutineRun, RoutineTrigger
from infra.local.seed import clone_routine
from tests.e2e.test_routines_crud import make_routine

TRIGGERS = 200
TICKERS = 8


def seed_due_routines(api, world, n):
    """One hourly routine through the API, cloned n - 1 times (infra/local/seed.py)."""
    rid = make_routine(api, world, title="Hourly sweep")["id"]
    r = api.post(f"/api/routines/{rid}/triggers", {"kind": "schedule", "cronExpression": "0 * * * *"})
    assert r.status == 201, r
    return [rid] + clone_routine(rid, n - 1)


# Without leases every invocation attempts every trigger and 7 of 8 attempts lose: 80 triggers already
# make 560 lost claims, and keep the suite's run time in bounds.
@pytest.mark.parametrize("use_leases, triggers", [(True, TRIGGERS), (False, 80)], ids=["with-shard-leases", "claims-only"])
def test_concurrent_ticks_fire_each_due_trigger_exactly_once(api, world, use_leases, triggers):
    routine_ids = seed_due_routines(api, world, triggers)
    at = FakeClock(datetime(2026, 3, 1, 13, 0, 2, tzinfo=timezone.utc))

    with ThreadPoolExecutor(TICKERS) as pool:
        reports = list(pool.map(lambda _: scheduler.tick(at, use_leases=use_leases), range(TICKERS)))

    assert sum(r.fired for r in reports) == triggers and sum(r.errors for r in reports) == 0
    runs = [run for rid in routine_ids for run in RoutineRun.by_routine.query(rid)]
    assert len(runs) == triggers
    assert sorted(run.routine_id for run in runs) == sorted(routine_ids)
    assert {(run.source, run.status, run.scheduled_for) for run in runs} == {
        ("schedule", "issue_created", "2026-03-01T13:00:00.000Z")}
    issues = [i for i in Issue.by_company.query(world.cid) if i.origin_kind == "routine_execution"]
    assert sorted(i.id for i in issues) == sorted(run.linked_issue_id for run in runs)
    trigger_items = [t for rid in routine_ids for t in RoutineTrigger.by_routine.query(rid)]
    assert {t.next_run_at for t in trigger_items} == {"2026-03-01T14:00:00.000Z"}
    # a later overlapping batch at the same minute finds nothing left to fire
    assert scheduler.tick(at, use_leases=use_leases).fired == 0
