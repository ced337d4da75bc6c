"""Faults at each DynamoDB request of a scheduler tick that fires one due schedule trigger.

A routine with a `0 * * * *` trigger is created at 12:00; the tick runs at 13:00:05. One index shard
(PAPERCLIP_SCHEDULER_SHARDS=1) so the request sequence is deterministic. Layers as in
tests/faults/injector.py. After the faulty tick: either the tick is fully done (one run for 13:00, its
issue, nextRunAt 14:00) or not at all (nextRunAt still 13:00, no run, no issue). The next tick a minute
later converges: exactly one run for 13:00, one issue, nextRunAt advanced once, and it fires nothing more.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.services.routines import scheduler
from chalicelib.store.issues import Issue
from chalicelib.store.routines import Routine, RoutineRun, RoutineTrigger
from tests.e2e.test_scheduler import schedule
from tests.faults.injector import RESET

CALLS = [
    "Query",  # the due index
    "PutItem",  # the shard lease
    "GetItem",  # the routine
    "GetItem",  # the assignee
    "UpdateItem",  # the issue number
    "TransactWriteItems",  # claim + run + issue
    "DeleteItem",  # the lease's release
]


def faults_for(n: int):
    """One throttle and one transient error on every botocore attempt (the two codes of each kind
    alternate between steps), then the applied-then-lost response."""
    return [(["ProvisionedThroughputExceededException", "ThrottlingException"][n % 2], "send"),
            (["InternalServerError", RESET][n % 2], "send"), ("InternalServerError", "lost")]


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=timezone.utc)


def stamp(day: int, hour: int) -> str:
    return f"2026-03-{day:02d}T{hour}:00:00.000Z"


@pytest.fixture
def one_shard(settings_env):
    settings_env(PAPERCLIP_SCHEDULER_SHARDS="1")


def state(world, rid, tid):
    runs = list(RoutineRun.by_routine.query(rid))
    issues = [i for i in Issue.by_company.query(world.cid) if i.origin_id == rid]
    return RoutineTrigger.get(tid, consistent_read=True), Routine.get(rid, consistent_read=True), runs, issues


def assert_all_or_nothing(world, rid, tid, day):
    trigger, routine, runs, issues = state(world, rid, tid)
    if trigger.next_run_at == stamp(day, 13):  # not claimed: nothing of the tick was written
        assert runs == [] and issues == [] and routine.live_issue_id is None
    else:
        assert trigger.next_run_at == stamp(day, 14)
        assert [(r.status, r.scheduled_for) for r in runs] == [("issue_created", stamp(day, 13))]
        assert [i.id for i in issues] == [runs[0].linked_issue_id] == [routine.live_issue_id]
        assert issues[0].origin_run_id == runs[0].id
    return trigger, routine, runs, issues


def new_schedule(api, world, clock, day=1):
    """A routine whose trigger is due at 13:00 of `day`; the clock at 13:00:05. Each case of a test
    takes its own day: a lease a faulty tick could not release must not outlive its own day."""
    clock.set(at(day, 12))
    rid, tid = schedule(api, world)
    clock.set(at(day, 13, 0, 5))
    return rid, tid


def test_clean_tick_request_sequence(api, world, clock, one_shard, faults):
    new_schedule(api, world, clock)
    faults.record()
    report = scheduler.tick(clock)
    assert (report.fired, report.errors) == (1, 0)
    assert faults.calls == CALLS


@pytest.mark.parametrize("n", [pytest.param(n, id=f"{n}-{CALLS[n - 1]}") for n in range(1, len(CALLS) + 1)])
def test_fault_in_a_tick(api, world, clock, one_shard, faults, n):
    for day, (code, layer) in enumerate(faults_for(n), start=1):
        label = f"step {n} {layer} {code}"
        rid, tid = new_schedule(api, world, clock, day)
        faults.arm(n, code, layer)
        report = scheduler.tick(clock)  # never raises: a failure is the trigger's or the shard's
        faults.disarm()
        assert faults.fired, label
        if layer == "send":
            assert faults.attempts == 4, label
        assert report.fired + report.errors + report.lost >= 1 or n == len(CALLS), (label, report)
        assert_all_or_nothing(world, rid, tid, day)

        clock.set(at(day, 13, 1, 5))  # the next tick
        scheduler.tick(clock)
        trigger, routine, runs, issues = assert_all_or_nothing(world, rid, tid, day)
        assert trigger.next_run_at == stamp(day, 14), (label, trigger.last_result)
        assert len(runs) == 1 and len(issues) == 1, label
        assert trigger.last_result == "issue_created", (label, trigger.last_result)
        clock.set(at(day, 13, 2, 5))
        assert scheduler.tick(clock).fired == 0, label
        assert len(state(world, rid, tid)[2]) == 1, label
