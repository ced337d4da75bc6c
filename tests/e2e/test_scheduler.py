"""The scheduler tick end to end against the moto server, with a fake clock (SPEC §7)."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.config import settings
from chalicelib.services.routines import routine_dispatch, scheduler
from chalicelib.store.issues import Issue
from chalicelib.store.request_count import counting
from chalicelib.store.routines import RoutineRun, RoutineTrigger
from tests.e2e.test_routines_crud import make_routine

HOURLY = "0 * * * *"


def schedule(api, world, cron=HOURLY, tz="UTC", **routine_fields):
    routine = make_routine(api, world, **routine_fields)
    r = api.post(f"/api/routines/{routine['id']}/triggers", {"kind": "schedule", "cronExpression": cron, "timezone": tz})
    assert r.status == 201, r
    return routine["id"], r.json["trigger"]["id"]


def runs_of(api, rid):
    return sorted(api.get(f"/api/routines/{rid}/runs?limit=200").json, key=lambda run: run["scheduledFor"] or "")


def trigger_json(api, rid, tid):
    return next(t for t in api.get(f"/api/routines/{rid}").json["triggers"] if t["id"] == tid)


def execution_issues(world, rid):
    return [i for i in Issue.by_company.query(world.cid) if i.origin_id == rid]


def test_a_due_tick_fires_once_and_the_trigger_moves_on(api, world, clock):
    rid, tid = schedule(api, world)
    assert trigger_json(api, rid, tid)["nextRunAt"] == "2026-03-01T13:00:00.000Z"
    clock.advance(minutes=30)
    assert scheduler.tick(clock).fired == 0 and runs_of(api, rid) == []

    clock.set(datetime(2026, 3, 1, 13, 0, 4, tzinfo=timezone.utc))
    report = scheduler.tick(clock)
    assert (report.due, report.fired, report.errors) == (1, 1, 0)
    [run] = runs_of(api, rid)
    assert run["source"] == "schedule" and run["status"] == "issue_created" and run["triggerId"] == tid
    assert run["scheduledFor"] == "2026-03-01T13:00:00.000Z" and run["triggeredAt"] == "2026-03-01T13:00:04.000Z"
    assert [i.id for i in execution_issues(world, rid)] == [run["linkedIssueId"]]
    trigger = trigger_json(api, rid, tid)
    assert trigger["nextRunAt"] == "2026-03-01T14:00:00.000Z"
    assert trigger["lastFiredAt"] == "2026-03-01T13:00:04.000Z" and trigger["lastResult"] == "issue_created"
    assert api.get(f"/api/routines/{rid}").json["lastTriggeredAt"] == "2026-03-01T13:00:04.000Z"

    clock.advance(seconds=50)
    assert scheduler.tick(clock).fired == 0 and len(runs_of(api, rid)) == 1
    clock.set(datetime(2026, 3, 1, 14, 0, 1, tzinfo=timezone.utc))
    assert scheduler.tick(clock).fired == 1
    assert [r["status"] for r in runs_of(api, rid)] == ["issue_created", "coalesced"]


def test_three_days_down_skip_missed_fires_the_latest_tick_within_grace(api, world, clock):
    rid, tid = schedule(api, world)
    clock.set(datetime(2026, 3, 4, 12, 2, tzinfo=timezone.utc))
    report = scheduler.tick(clock)
    assert (report.fired, report.dropped) == (1, 71)
    assert [r["scheduledFor"] for r in runs_of(api, rid)] == ["2026-03-04T12:00:00.000Z"]
    assert trigger_json(api, rid, tid)["nextRunAt"] == "2026-03-04T13:00:00.000Z"


def test_three_days_down_skip_missed_fires_nothing_past_the_grace(api, world, clock):
    rid, tid = schedule(api, world)
    clock.set(datetime(2026, 3, 4, 12, 10, tzinfo=timezone.utc))
    report = scheduler.tick(clock)
    assert (report.fired, report.dropped) == (0, 72)
    assert runs_of(api, rid) == []
    assert trigger_json(api, rid, tid)["nextRunAt"] == "2026-03-04T13:00:00.000Z"
    clock.set(datetime(2026, 3, 4, 13, 0, 30, tzinfo=timezone.utc))
    assert scheduler.tick(clock).fired == 1  # back to normal


def test_three_days_down_enqueue_missed_with_cap_fires_25_oldest_first(api, world, clock):
    rid, tid = schedule(api, world, catchUpPolicy="enqueue_missed_with_cap", concurrencyPolicy="always_enqueue")
    clock.set(datetime(2026, 3, 4, 12, 10, tzinfo=timezone.utc))
    report = scheduler.tick(clock)
    assert (report.fired, report.dropped) == (25, 47)
    runs = runs_of(api, rid)
    expected = [datetime(2026, 3, 3, 12, tzinfo=timezone.utc) + timedelta(hours=h) for h in range(25)]
    assert [r["scheduledFor"] for r in runs] == [e.strftime("%Y-%m-%dT%H:%M:%S.000Z") for e in expected]
    assert {r["status"] for r in runs} == {"issue_created"} and len(execution_issues(world, rid)) == 25
    # oldest first: the issue numbers follow the ticks
    numbers = [int(Issue.get(r["linkedIssueId"]).identifier.split("-")[1]) for r in runs]
    assert numbers == sorted(numbers)
    assert trigger_json(api, rid, tid)["nextRunAt"] == "2026-03-04T13:00:00.000Z"


def test_caught_up_runs_coalesce_under_the_default_policy(api, world, clock):
    rid, _ = schedule(api, world, catchUpPolicy="enqueue_missed_with_cap")
    clock.set(datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc))
    assert scheduler.tick(clock).fired == 5
    runs = runs_of(api, rid)
    assert [r["status"] for r in runs] == ["issue_created"] + ["coalesced"] * 4
    assert {r["linkedIssueId"] for r in runs} == {runs[0]["linkedIssueId"]}


def test_paused_routine_fires_nothing_for_the_paused_period(api, world, clock):
    rid, tid = schedule(api, world, catchUpPolicy="enqueue_missed_with_cap")
    clock.advance(minutes=10)
    assert api.patch(f"/api/routines/{rid}", {"status": "paused"}).status == 200
    for _ in range(3):  # two days of ticks while paused
        clock.advance(hours=16)
        assert scheduler.tick(clock).due == 0
    clock.set(datetime(2026, 3, 3, 12, 20, tzinfo=timezone.utc))
    assert api.patch(f"/api/routines/{rid}", {"status": "active"}).status == 200
    assert trigger_json(api, rid, tid)["nextRunAt"] == "2026-03-03T13:00:00.000Z"
    assert scheduler.tick(clock).fired == 0
    clock.set(datetime(2026, 3, 3, 13, 0, 2, tzinfo=timezone.utc))
    assert scheduler.tick(clock).fired == 1
    assert [r["scheduledFor"] for r in runs_of(api, rid)] == ["2026-03-03T13:00:00.000Z"]


def test_disabled_trigger_fires_nothing_and_reenabling_starts_from_now(api, world, clock):
    rid, tid = schedule(api, world)
    assert api.patch(f"/api/routine-triggers/{tid}", {"enabled": False}).status == 200
    clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))
    assert scheduler.tick(clock).due == 0
    assert api.patch(f"/api/routine-triggers/{tid}", {"enabled": True}).json["nextRunAt"] == "2026-03-02T10:00:00.000Z"
    clock.set(datetime(2026, 3, 2, 10, 0, 1, tzinfo=timezone.utc))
    assert scheduler.tick(clock).fired == 1 and len(runs_of(api, rid)) == 1


class Crash(BaseException):
    """Stands in for the Lambda dying: not an Exception, so nothing in the tick catches it."""


def test_crash_before_the_claim_commits_leaves_the_tick_for_the_next_tick(api, world, clock, monkeypatch):
    from chalicelib.store import transactions

    rid, tid = schedule(api, world)
    clock.set(datetime(2026, 3, 1, 13, 0, 3, tzinfo=timezone.utc))
    real_commit = transactions.Transaction.commit

    def crash_on_commit(self):
        raise Crash()

    monkeypatch.setattr(transactions.Transaction, "commit", crash_on_commit)
    with pytest.raises(Crash):
        scheduler.tick(clock)
    monkeypatch.setattr(transactions.Transaction, "commit", real_commit)
    assert runs_of(api, rid) == [] and execution_issues(world, rid) == []  # nothing half-written
    assert trigger_json(api, rid, tid)["nextRunAt"] == "2026-03-01T13:00:00.000Z"

    clock.advance(minutes=1)
    assert scheduler.tick(clock).fired == 1
    [run] = runs_of(api, rid)
    assert run["scheduledFor"] == "2026-03-01T13:00:00.000Z" and len(execution_issues(world, rid)) == 1
    clock.advance(minutes=1)
    assert scheduler.tick(clock).fired == 0 and len(runs_of(api, rid)) == 1


def test_crash_in_the_middle_of_a_catch_up_resumes_without_duplicates(api, world, clock, monkeypatch):
    rid, tid = schedule(api, world, catchUpPolicy="enqueue_missed_with_cap", concurrencyPolicy="always_enqueue")
    clock.set(datetime(2026, 3, 1, 18, 30, tzinfo=timezone.utc))  # 13:00 … 18:00 missed: 6 ticks
    real_dispatch = routine_dispatch.dispatch
    calls = []

    def dispatch_then_die_after_two(*args, **kwargs):
        result = real_dispatch(*args, **kwargs)  # committed: run, issue and trigger advance
        calls.append(result.run.scheduled_for)
        if len(calls) == 2:
            raise Crash()
        return result

    monkeypatch.setattr(routine_dispatch, "dispatch", dispatch_then_die_after_two)
    with pytest.raises(Crash):
        scheduler.tick(clock)
    monkeypatch.setattr(routine_dispatch, "dispatch", real_dispatch)
    assert len(runs_of(api, rid)) == 2
    assert trigger_json(api, rid, tid)["nextRunAt"] == "2026-03-01T15:00:00.000Z"

    clock.advance(minutes=1)
    assert scheduler.tick(clock).fired == 4
    runs = runs_of(api, rid)
    assert [r["scheduledFor"][11:16] for r in runs] == ["13:00", "14:00", "15:00", "16:00", "17:00", "18:00"]
    assert len(execution_issues(world, rid)) == 6
    assert trigger_json(api, rid, tid)["nextRunAt"] == "2026-03-01T19:00:00.000Z"


def test_a_tick_is_never_fired_twice_even_if_next_run_at_goes_back(api, world, clock):
    """The run id is derived from (trigger, tick): a stale writer resetting nextRunAt cannot double a tick."""
    rid, tid = schedule(api, world)
    clock.set(datetime(2026, 3, 1, 13, 0, 3, tzinfo=timezone.utc))
    assert scheduler.tick(clock).fired == 1
    RoutineTrigger(id=tid).update(actions=[RoutineTrigger.next_run_at.set("2026-03-01T13:00:00.000Z")])
    clock.advance(minutes=1)
    report = scheduler.tick(clock)
    assert (report.fired, report.lost) == (0, 1)
    assert len(runs_of(api, rid)) == 1 and len(execution_issues(world, rid)) == 1


def test_a_broken_trigger_does_not_stop_the_batch(api, world, clock):
    rid_ok, tid_ok = schedule(api, world)
    rid_bad, tid_bad = schedule(api, world)
    RoutineTrigger(id=tid_bad).update(actions=[RoutineTrigger.cron_expression.set("61 * * * *")])
    clock.set(datetime(2026, 3, 1, 13, 0, 3, tzinfo=timezone.utc))
    report = scheduler.tick(clock)
    assert (report.fired, report.errors) == (1, 1)
    assert len(runs_of(api, rid_ok)) == 1 and runs_of(api, rid_bad) == []
    broken = RoutineTrigger.get(tid_bad, consistent_read=True)
    assert broken.last_result.startswith("error: Invalid cron expression '61 * * * *'")
    assert broken.due_shard is None  # out of the index: it no longer costs every tick
    clock.advance(hours=1)
    assert scheduler.tick(clock).errors == 0


def test_a_failed_dispatch_is_recorded_on_the_run_and_the_trigger(api, world, clock):
    rid, tid = schedule(api, world)
    assert api.post(f"/api/agents/{world.alice['id']}/terminate").status == 200
    clock.set(datetime(2026, 3, 1, 13, 0, 3, tzinfo=timezone.utc))
    report = scheduler.tick(clock)
    assert report.fired == 1 and report.errors == 0
    [run] = runs_of(api, rid)
    assert run["status"] == "failed" and run["failureReason"] and run["scheduledFor"] == "2026-03-01T13:00:00.000Z"
    trigger = trigger_json(api, rid, tid)
    assert trigger["lastResult"] == "failed" and trigger["nextRunAt"] == "2026-03-01T14:00:00.000Z"
    assert execution_issues(world, rid) == []


def test_an_unexpected_error_is_recorded_and_retried_next_tick(api, world, clock, monkeypatch):
    rid_ok, _ = schedule(api, world)
    rid_bad, tid_bad = schedule(api, world)
    real_dispatch = routine_dispatch.dispatch

    def flaky(actor, routine, req, now):
        if routine.id == rid_bad:
            raise RuntimeError("DynamoDB said no")
        return real_dispatch(actor, routine, req, now)

    monkeypatch.setattr(routine_dispatch, "dispatch", flaky)
    clock.set(datetime(2026, 3, 1, 13, 0, 3, tzinfo=timezone.utc))
    report = scheduler.tick(clock)
    assert (report.fired, report.errors) == (1, 1)
    assert trigger_json(api, rid_bad, tid_bad)["lastResult"] == "error: RuntimeError; retrying next tick"
    monkeypatch.setattr(routine_dispatch, "dispatch", real_dispatch)
    clock.advance(minutes=1)
    assert scheduler.tick(clock).fired == 1
    assert [r["scheduledFor"] for r in runs_of(api, rid_bad)] == ["2026-03-01T13:00:00.000Z"]


def test_work_is_bounded_and_continues_next_tick(api, world, clock):
    routines = [schedule(api, world)[0] for _ in range(5)]
    clock.set(datetime(2026, 3, 1, 13, 0, 3, tzinfo=timezone.utc))
    first = scheduler.tick(clock, max_fires=2)
    assert (first.fired, first.more) == (2, True)
    clock.advance(minutes=1)
    second = scheduler.tick(clock, max_fires=2)
    assert (second.fired, second.more) == (2, True)
    clock.advance(minutes=1)
    third = scheduler.tick(clock, max_fires=2)
    assert (third.fired, third.more) == (1, False)
    assert sorted(len(runs_of(api, rid)) for rid in routines) == [1] * 5
    assert {runs_of(api, rid)[0]["scheduledFor"] for rid in routines} == {"2026-03-01T13:00:00.000Z"}


def test_a_tick_with_nothing_due_costs_one_query_per_shard(api, world, clock):
    def empty_tick_requests():
        with counting() as counter:
            assert scheduler.tick(clock).due == 0
        return dict(counter)

    assert empty_tick_requests() == {"Query": settings().scheduler_shards}
    for _ in range(12):  # many schedules, none due yet
        schedule(api, world, cron="0 9 * * 1")
    clock.advance(minutes=5)
    assert empty_tick_requests() == {"Query": settings().scheduler_shards}


def test_dst_spring_forward_fires_once_per_night(api, world, clock, settings_env):
    settings_env(PAPERCLIP_SCHEDULER_SHARDS="1")  # 192 ticks: one query each keeps this fast
    rid, _ = schedule(api, world, cron="30 2 * * *", tz="America/New_York")
    clock.set(datetime(2026, 3, 6, 12, tzinfo=timezone.utc))
    for _ in range(4 * 24 * 2):  # every 30 minutes for four days across the 2026-03-08 transition
        clock.advance(minutes=30)
        scheduler.tick(clock)
    assert [r["scheduledFor"] for r in runs_of(api, rid)] == [
        "2026-03-07T07:30:00.000Z", "2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z", "2026-03-10T06:30:00.000Z"]


def test_schedule_runs_interpolate_the_tick_date(api, world, clock):
    rid, _ = schedule(api, world, title="Daily report {{date}}", catchUpPolicy="enqueue_missed_with_cap",
                      concurrencyPolicy="always_enqueue", cron="0 23 * * *")
    clock.set(datetime(2026, 3, 3, 0, 30, tzinfo=timezone.utc))
    assert scheduler.tick(clock).fired == 2
    titles = sorted(i.title for i in execution_issues(world, rid))
    assert titles == ["Daily report 2026-03-01", "Daily report 2026-03-02"]
    assert {r.source for r in RoutineRun.by_routine.query(rid)} == {"schedule"}


def test_the_tick_stops_before_the_lambda_runs_out_of_time(api, world, clock):
    rid, _ = schedule(api, world)
    clock.set(datetime(2026, 3, 1, 13, 0, 3, tzinfo=timezone.utc))
    remaining = iter([60_000, scheduler.RESERVE_MS - 1] + [0] * 50)
    report = scheduler.tick(clock, time_left_ms=lambda: next(remaining))
    assert (report.fired, report.more) == (0, True) and runs_of(api, rid) == []
    clock.advance(minutes=1)
    assert scheduler.tick(clock, time_left_ms=lambda: 60_000).fired == 1
