"""Faults at each DynamoDB request of a manual routine run (POST /api/routines/{id}/run).

Layers (tests/faults/injector.py): "send" = every botocore attempt of the Nth request fails at the
HTTP layer (never applied; botocore's 4 attempts are exhausted, then the error reaches our code);
"lost" = the Nth request is applied, then its response is replaced by an InternalServerError.

Afterwards nothing is half-written, and the same call again (injection off) converges to the state of
a clean run: one run, one issue, the live slot on it, one wakeup, one activity entry per run.
"""
from __future__ import annotations

import pytest

from chalicelib.store.issues import Issue
from chalicelib.store.request_count import counting
from chalicelib.store.routines import Routine, RoutineRun
from tests.e2e.test_routines_crud import make_routine
from tests.faults.checks import activity_actions, assert_clean_answer
from tests.faults.injector import RESET
from tests.issue_helpers import queued_wakeups

# The requests of each call in a clean run, in order (test_clean_run_request_sequence keeps these honest).
# With an idempotency key a GetItem of the key follows the routine's (a replay check).
CREATE_CALLS = ["GetItem", "GetItem", "GetItem", "UpdateItem", "TransactWriteItems"]  # routine, key, agent, number, commit
COALESCE_CALLS = ["GetItem", "GetItem", "TransactWriteItems"]  # routine, key, commit


def unkeyed(calls):
    return [calls[0], *calls[2:]]




def keyed_faults(n: int):
    """The faults each step gets, in turn, each on a fresh routine: one throttle and one transient error
    failing every botocore attempt (layer "send"; the two codes of each kind alternate between steps,
    our code sees the same PynamoDB exception class for both), and the applied-then-lost response."""
    throttle = ["ProvisionedThroughputExceededException", "ThrottlingException"][n % 2]
    transient = ["InternalServerError", RESET][n % 2]
    return [(throttle, "send"), (transient, "send"), ("InternalServerError", "lost")]


def _keyed(calls):
    return [pytest.param(n, id=f"{n}-{calls[n - 1]}") for n in range(1, len(calls) + 1)]


def _lost_unkeyed(calls):
    plain = unkeyed(calls)
    # A lost TransactWriteItems reply used to be taken for a failed commit: the retry found its own
    # issue in the live slot and wrote a second, coalesced run. dispatch() now checks for its own run.
    return [pytest.param(n, id=f"{n}-{plain[n - 1]}-lost-nokey") for n in range(1, len(plain) + 1)]


def run(api, rid, key):
    return api.post(f"/api/routines/{rid}/run", {"idempotencyKey": key} if key else {})


def state(world, rid):
    runs = list(RoutineRun.by_routine.query(rid))
    issues = [i for i in Issue.by_company.query(world.cid) if i.origin_id == rid]
    return Routine.get(rid, consistent_read=True), runs, issues


def assert_consistent(api, world, rid):
    """Nothing half-written: every issue has its run and every run its issue; the live slot points at
    an existing live issue and the run that created it; one activity entry per run; one wakeup per
    issue-creating run."""
    routine, runs, issues = state(world, rid)
    by_id = {r.id: r for r in runs}
    issue_ids = {i.id for i in issues}
    for issue in issues:
        assert issue.origin_run_id in by_id, f"issue {issue.identifier} without its run"
        assert by_id[issue.origin_run_id].linked_issue_id == issue.id
    created = [r for r in runs if r.status == "issue_created"]
    for r in runs:
        assert r.status in ("issue_created", "coalesced"), (r.status, r.failure_reason)
        assert r.linked_issue_id in issue_ids, f"run {r.status} linked to a missing issue"
        if r.status == "coalesced":
            assert r.coalesced_into_run_id in by_id
    assert len(created) == len(issues)
    if issues:
        assert routine.live_issue_id in issue_ids and by_id[routine.live_run_id].linked_issue_id == routine.live_issue_id
    else:
        assert routine.live_issue_id is None and routine.live_run_id is None
    acts = activity_actions("routine_run", set(by_id))
    assert sum(acts.values()) == len(runs) and acts["routine.run_issue_created"] == len(created)
    wakeups = [w for w in queued_wakeups(api, world.alice["id"]) if w.get("routineRunId") in by_id]
    assert sorted(w["routineRunId"] for w in wakeups) == sorted(r.id for r in created)
    return routine, runs, issues


@pytest.fixture
def rid(api, world):
    return make_routine(api, world)["id"]


def test_clean_run_request_sequence(api, world, rid, faults):
    faults.record()
    with counting() as counted:
        assert run(api, rid, "k1").status == 202
    assert faults.calls == CREATE_CALLS and sum(counted.values()) == len(CREATE_CALLS)
    faults.record()
    with counting() as counted:
        assert run(api, rid, "k2").json["status"] == "coalesced"
    assert faults.calls == COALESCE_CALLS and sum(counted.values()) == len(COALESCE_CALLS)
    faults.record()
    assert run(api, rid, None).json["status"] == "coalesced"
    assert faults.calls == unkeyed(COALESCE_CALLS)
    api.patch(f"/api/issues/{Routine.get(rid).live_issue_id}", {"status": "cancelled"})
    faults.record()
    assert run(api, rid, None).json["status"] == "issue_created"
    assert faults.calls == unkeyed(CREATE_CALLS)


def _create_case(api, world, faults, rid, n, code, layer, key):
    label = f"step {n} {layer} {code} key={key}"
    faults.arm(n, code, layer)
    first = run(api, rid, key)
    faults.disarm()
    assert faults.fired, label
    if layer == "send":
        assert faults.attempts == 4, label  # botocore retried, then gave up: the error reached our code
    succeeded = assert_clean_answer(first, 202)
    assert_consistent(api, world, rid)

    if not succeeded or key:  # a client retries a failed call; a keyed retry must replay
        again = run(api, rid, key)
        assert again.status == 202, (label, again)
        if succeeded:
            assert again.json["id"] == first.json["id"], label
    routine, runs, issues = assert_consistent(api, world, rid)
    assert [r.status for r in runs] == ["issue_created"], (label, first, [(r.status, r.coalesced_into_run_id) for r in runs])
    assert len(issues) == 1 and routine.live_issue_id == issues[0].id and routine.live_run_id == runs[0].id, label


def _coalesce_case(api, world, faults, rid, n, code, layer, key):
    label = f"step {n} {layer} {code} key={key}"
    original = run(api, rid, "original")
    assert original.status == 202
    faults.arm(n, code, layer)
    first = run(api, rid, key)
    faults.disarm()
    assert faults.fired, label
    if layer == "send":
        assert faults.attempts == 4, label
    succeeded = assert_clean_answer(first, 202)
    assert_consistent(api, world, rid)

    if not succeeded or key:
        again = run(api, rid, key)
        assert again.status == 202, (label, again)
        if succeeded:
            assert again.json["id"] == first.json["id"], label
    routine, runs, issues = assert_consistent(api, world, rid)
    assert sorted(r.status for r in runs) == ["coalesced", "issue_created"], (label, first)
    [coalesced] = [r for r in runs if r.status == "coalesced"]
    assert len(issues) == 1 and coalesced.linked_issue_id == issues[0].id, label
    assert coalesced.coalesced_into_run_id == original.json["id"] == routine.live_run_id, label


@pytest.mark.parametrize("n", _keyed(CREATE_CALLS))
def test_fault_in_a_keyed_run_that_creates_the_issue(api, world, faults, n):
    for code, layer in keyed_faults(n):
        _create_case(api, world, faults, make_routine(api, world)["id"], n, code, layer, f"k-{code}-{layer}")


@pytest.mark.parametrize("n", _lost_unkeyed(CREATE_CALLS))
def test_lost_response_in_a_run_without_key_that_creates_the_issue(api, world, rid, faults, n):
    _create_case(api, world, faults, rid, n, "InternalServerError", "lost", None)


@pytest.mark.parametrize("n", _keyed(COALESCE_CALLS))
def test_fault_in_a_keyed_coalesced_run(api, world, faults, n):
    for code, layer in keyed_faults(n):
        _coalesce_case(api, world, faults, make_routine(api, world)["id"], n, code, layer, f"k-{code}-{layer}")


@pytest.mark.parametrize("n", _lost_unkeyed(COALESCE_CALLS))
def test_lost_response_in_a_coalesced_run_without_key(api, world, rid, faults, n):
    _coalesce_case(api, world, faults, rid, n, "InternalServerError", "lost", None)


def test_a_throttle_blip_is_absorbed_by_botocore_retries(api, world, rid, faults):
    faults.arm(len(unkeyed(CREATE_CALLS)), "ProvisionedThroughputExceededException", "send", transient_attempts=1)
    assert run(api, rid, None).status == 202
    faults.disarm()
    assert faults.attempts == 2
    routine, runs, issues = assert_consistent(api, world, rid)
    assert [r.status for r in runs] == ["issue_created"] and len(issues) == 1
