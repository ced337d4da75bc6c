"""No lost updates (issue #10): concurrent writers of one item must not undo each other.

Each test runs ROUNDS rounds of a few writers started together in threads of this process against
the DynamoDB server process (the last writer starting after the lead's k-th DynamoDB request, k swept
over the rounds, so it lands at every step of the lead's read-decide-write work), and checks the exact
outcome of every round. Rounds are kept cheap (service calls, reads by key). 96 rounds by default: 12
passes over each of the 8 start positions (sweep); the tests were shown to fail on the pre-fix code with
200 (RACE_ROUNDS=200 runs that many), and halving them took ~75 s of CPU off `make test`.

Before the fix, a trigger PATCH saved the whole trigger item it had read (putting back a rotated-away
secret, or a `next_run_at` the scheduler had already advanced) and a routine PATCH saved the whole
routine item (wiping the live-issue slot a concurrent run had just set); terminating an agent left its
checked-out issue in_progress and its run running.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from chalicelib import clock as clock_module
from chalicelib.clock import iso
from chalicelib.errors import Conflict, DomainError, Unauthorized
from chalicelib.ids import derived_id
from chalicelib.services.access import auth
from chalicelib.services.access.principals import LOCAL_BOARD
from chalicelib.services.issues import agent_work, issue_checkout, issue_create
from chalicelib.services.routines import routine_dispatch, routine_triggers, routines, scheduler, webhook_intake
from chalicelib.services.routines.webhook_secrets import open_envelope
from chalicelib.services.runtime import agents, heartbeats
from chalicelib.store.issues import Issue
from chalicelib.store.routines import Routine, RoutineRun, RoutineTrigger
from tests.e2e.test_routines_runs import finish_issue

ROUNDS = int(__import__("os").environ.get("RACE_ROUNDS", "96"))


class _LeadRequests:
    """Counts the DynamoDB requests the lead writer's thread sends, releasing a waiting writer at the
    k-th (or when the lead is done): the waiting writer starts at a chosen point of the lead's work."""

    def __init__(self):
        self.lead: int | None = None
        self.k = 0
        self.sent = 0
        self.release = threading.Event()

    def __call__(self, **_kwargs):
        if threading.get_ident() == self.lead:
            self.sent += 1
            if self.sent >= self.k:
                self.release.set()


@pytest.fixture
def placement():
    """Hooks every DynamoDB client (botocore's before-call event) for _LeadRequests."""
    from chalicelib.store.registry import ALL_MODELS
    from chalicelib.store.transactions import _conn

    hook = _LeadRequests()
    clients = {id(c): c for c in [m._get_connection().connection.client for m in ALL_MODELS] + [_conn().client]}
    for client in clients.values():
        client.meta.events.register("before-call.dynamodb", hook)
    yield hook
    for client in clients.values():
        client.meta.events.unregister("before-call.dynamodb", hook)


def together(placement: _LeadRequests, *calls, after: int = 0):
    """Run the calls in threads released at once, except the last, which starts when the first (the
    lead) has sent `after` DynamoDB requests. Sweeping `after` over the rounds puts the last writer at
    every step of the lead's read-decide-write work. Returns each call's result or exception."""
    placement.k, placement.sent = after, 0
    placement.release.clear()
    barrier = threading.Barrier(len(calls) - 1 if after else len(calls))

    def run(indexed):
        i, call = indexed
        last = i == len(calls) - 1
        if after and last:
            placement.release.wait(timeout=60)
        else:
            if i == 0:
                placement.lead = threading.get_ident()
            barrier.wait()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the caller asserts on it
            return exc
        finally:
            if i == 0:
                placement.release.set()  # the lead is done: never leave the last writer waiting

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, enumerate(calls)))


def sweep(n: int, positions: int = 8) -> int:
    """0 (all at once), then after 1, 2, … requests of the lead."""
    return n % positions


@pytest.fixture
def one_shard(settings_env):
    """One due-index shard: a tick is one Query, so rounds stay cheap (exactly-once never depends on it)."""
    settings_env(PAPERCLIP_SCHEDULER_SHARDS="1", PAPERCLIP_WEBHOOK_RATE_PER_IP="1000000",
                 PAPERCLIP_WEBHOOK_RATE_PER_TRIGGER="1000000")


def _routine(world, clock, **fields):
    body = {"title": "Sweep", "projectId": world.project["id"], "assigneeAgentId": world.alice["id"], **fields}
    return routines.create(LOCAL_BOARD, world.cid, body, clock.now())


def _minutely(world, clock, **fields):
    routine = _routine(world, clock, **fields)
    trigger, _ = routine_triggers.create(LOCAL_BOARD, routine.id, {"kind": "schedule", "cronExpression": "* * * * *"},
                                         clock.now())
    return routine.id, trigger.id


def _at_next_tick(clock, tid) -> str:
    due = RoutineTrigger.get(tid, consistent_read=True).next_run_at
    clock.set(datetime.fromisoformat(due.replace("Z", "+00:00")) + timedelta(seconds=1))
    return due


def _tick_run(tid: str, due: str) -> RoutineRun | None:
    try:
        return RoutineRun.get(derived_id("schedule", tid, due), consistent_read=True)
    except RoutineRun.DoesNotExist:
        return None


def test_trigger_patch_never_restores_a_rotated_secret(world, clock, one_shard, placement):
    routine = _routine(world, clock)
    trigger, material = routine_triggers.create(LOCAL_BOARD, routine.id, {"kind": "webhook"}, clock.now())
    secret = material["webhookSecret"]
    anomalies = []
    for n in range(ROUNDS):
        rotated, fired, patched = together(
            placement,
            lambda: routine_triggers.rotate_secret(LOCAL_BOARD, trigger.id, clock.now()),
            lambda: webhook_intake.fire(trigger.public_id, {"authorization": f"Bearer {secret}"}, b"{}",
                                        "10.0.0.1", clock.now()),
            lambda: routine_triggers.update(LOCAL_BOARD, trigger.id, {"label": f"round {n}"}, clock.now()),
            after=sweep(n),
        )
        assert not isinstance(rotated, Exception) and not isinstance(patched, Exception), (rotated, patched)
        assert isinstance(fired, (routine_dispatch.DispatchResult, Unauthorized)), fired
        secret = rotated[1]["webhookSecret"]
        stored = RoutineTrigger.get(trigger.id, consistent_read=True)
        if open_envelope(stored.secret_envelope, trigger.id) != secret or stored.label != f"round {n}":
            anomalies.append(n)
    assert anomalies == []
    # end to end: the last secret fires, the one before it does not
    assert webhook_intake.fire(trigger.public_id, {"authorization": f"Bearer {secret}"}, b"{}", "10.0.0.2",
                               clock.now()).run.routine_id == routine.id


def test_trigger_patch_during_a_tick_never_moves_the_schedule_back(world, clock, one_shard, placement):
    rid, tid = _minutely(world, clock, concurrencyPolicy="always_enqueue")
    anomalies = []
    for n in range(ROUNDS):
        due = _at_next_tick(clock, tid)
        report, patched = together(
            placement,
            lambda: scheduler.tick(clock_module.current()),
            lambda: routine_triggers.update(LOCAL_BOARD, tid, {"label": f"round {n}"}, clock.now()),
            after=sweep(n),
        )
        assert not isinstance(report, Exception) and not isinstance(patched, Exception), (report, patched)
        stored = RoutineTrigger.get(tid, consistent_read=True)
        if report.fired != 1 or stored.next_run_at <= due or _tick_run(tid, due) is None or stored.label != f"round {n}":
            anomalies.append((n, due, stored.next_run_at, report.fired, report.lost))
            break  # once moved back, every later round inherits it
    assert anomalies == []
    clock.set(clock.now() + timedelta(minutes=1))  # and the schedule goes on: nothing counted as lost
    report = scheduler.tick(clock_module.current())
    assert (report.fired, report.lost, report.errors) == (1, 0, 0)


def test_routine_patch_never_wipes_the_live_issue_of_a_concurrent_run(world, clock, one_shard, placement):
    rid, tid = _minutely(world, clock)
    anomalies = []
    for n in range(ROUNDS):
        live = Routine.get(rid, consistent_read=True).live_issue_id
        if live:
            finish_issue(live, "done", clock.now())
        due = _at_next_tick(clock, tid)
        manual, report, patched = together(
            placement,
            lambda: routine_dispatch.run_manually(LOCAL_BOARD, rid, {}, clock.now()),
            lambda: scheduler.tick(clock_module.current()),
            lambda: routines.update(LOCAL_BOARD, rid, {"description": f"round {n}"}, clock.now()),
            after=sweep(n),
        )
        assert not isinstance(manual, Exception) and not isinstance(patched, Exception), (manual, patched)
        assert not isinstance(report, Exception) and report.fired == 1, report
        runs = [manual.run, _tick_run(tid, due)]
        created = [r for r in runs if r.status == "issue_created"]
        routine = Routine.get(rid, consistent_read=True)
        if (sorted(r.status for r in runs) != ["coalesced", "issue_created"]
                or routine.live_issue_id != created[0].linked_issue_id or routine.description != f"round {n}"):
            anomalies.append((n, [r.status for r in runs], routine.live_issue_id))
            for run in created:  # start the next round clean
                finish_issue(run.linked_issue_id, "done", clock.now())
    assert anomalies == []
    # a further run coalesces into the one live issue
    assert routine_dispatch.run_manually(LOCAL_BOARD, rid, {}, clock.now()).run.status == "coalesced"


def test_terminating_an_agent_never_leaves_its_work_locked(world, clock, placement):
    anomalies = []
    for n in range(ROUNDS):
        agent = agents.create(LOCAL_BOARD, world.cid, {"name": f"Temp {n}"}, clock.now())
        issue = issue_create.create(LOCAL_BOARD, world.cid, {"title": f"Job {n}", "assigneeAgentId": agent.id}, clock.now()).issue
        run, token = heartbeats.invoke(LOCAL_BOARD, agent.id, clock.now())
        principal = auth.authenticate(token, None, clock.now())
        terminated, checked_out = together(
            placement,
            lambda: agent_work.terminate(LOCAL_BOARD, agent.id, clock.now()),
            lambda: issue_checkout.checkout(principal, issue.id, agent.id, ["todo"], None, clock.now()),
            after=sweep(n),
        )
        assert not isinstance(terminated, Exception), terminated
        assert not isinstance(checked_out, Exception) or isinstance(checked_out, DomainError), checked_out
        stored = Issue.get(issue.id, consistent_read=True)
        if stored.status == "in_progress" or stored.checkout_run_id or stored.assignee_agent_id \
                or heartbeats.is_active(heartbeats.find(run.id), clock.now()):
            anomalies.append((n, stored.status, stored.checkout_run_id, heartbeats.find(run.id).status))
    assert anomalies == []
    # the last round's issue can be taken by another agent at once
    bob_run, bob_token = heartbeats.invoke(LOCAL_BOARD, world.bob["id"], clock.now())
    bob = auth.authenticate(bob_token, None, clock.now())
    assert issue_checkout.checkout(bob, issue.id, world.bob["id"], ["todo"], None, clock.now()).status == "in_progress"


def test_concurrent_trigger_patches_never_mix_two_schedules(world, clock, one_shard, placement):
    """Two PATCHes of one schedule (cron vs time zone) decided on the same read: cron, time zone and
    nextRunAt stored always belong together, because each PATCH writes only what it changes but is
    conditioned on the schedule it computed nextRunAt from."""
    from chalicelib.logic import cron_schedule

    rid, tid = _minutely(world, clock)
    anomalies = []
    for n in range(ROUNDS // 4):
        results = together(
            placement,
            lambda: routine_triggers.update(LOCAL_BOARD, tid, {"cronExpression": f"{n % 60} 9 * * *"}, clock.now()),
            lambda: routine_triggers.update(LOCAL_BOARD, tid, {"timezone": "Europe/Amsterdam" if n % 2 else "UTC"},
                                            clock.now()),
            after=sweep(n),
        )
        assert all(not isinstance(r, Exception) or isinstance(r, Conflict) for r in results), results
        stored = RoutineTrigger.get(tid, consistent_read=True)
        want = iso(cron_schedule.next_fire_after(stored.cron_expression, stored.timezone, clock.now()))
        if stored.next_run_at != want:
            anomalies.append((n, stored.cron_expression, stored.timezone, stored.next_run_at, want))
    assert anomalies == []
