"""Faults at each DynamoDB request of POST /api/issues/{id}/checkout (agent run JWT).

Layers as in tests/faults/injector.py. Afterwards the issue is either untouched (todo, no lock, no
`issue.checked_out` entry) or fully checked out (in_progress, locked by the run, exactly one entry),
and the same call again converges: 200, locked by the right run, one activity entry.
"""
from __future__ import annotations

import pytest

from chalicelib.store.issues import Issue
from tests.faults.checks import activity_actions, assert_clean_answer
from tests.faults.injector import RESET
from tests.issue_helpers import checkout, new_issue, start_run

CALLS = ["GetItem", "TransactGetItems", "TransactWriteItems"]  # the run JWT's agent; issue + run; the lock


def faults_for(n: int):
    """One throttle and one transient error on every botocore attempt (the two codes of each kind
    alternate between steps), then the applied-then-lost response."""
    return [(["ProvisionedThroughputExceededException", "ThrottlingException"][n % 2], "send"),
            (["InternalServerError", RESET][n % 2], "send"), ("InternalServerError", "lost")]


def test_clean_checkout_request_sequence(api, world, faults):
    issue = new_issue(api, world, assigneeAgentId=world.alice["id"])
    _, token = start_run(api, world.alice["id"])
    faults.record()
    assert checkout(api, issue["id"], world.alice["id"], token).status == 200
    assert faults.calls == CALLS


def assert_consistent(issue_id, run_id, agent_id):
    issue = Issue.get(issue_id, consistent_read=True)
    acts = activity_actions("issue", {issue_id})
    if issue.status == "todo":
        assert issue.checkout_run_id is None and acts["issue.checked_out"] == 0, (issue.status, acts)
    else:
        assert (issue.status, issue.checkout_run_id, issue.assignee_agent_id) == ("in_progress", run_id, agent_id)
        assert acts["issue.checked_out"] == 1, acts
    return issue, acts


@pytest.mark.parametrize("n", [pytest.param(n, id=f"{n}-{CALLS[n - 1]}") for n in range(1, len(CALLS) + 1)])
def test_fault_in_checkout(api, world, faults, n):
    agent = world.alice["id"]
    for code, layer in faults_for(n):
        label = f"step {n} {layer} {code}"
        issue = new_issue(api, world, assigneeAgentId=agent)
        run_id, token = start_run(api, agent)
        faults.arm(n, code, layer)
        first = checkout(api, issue["id"], agent, token)
        faults.disarm()
        assert faults.fired, label
        if layer == "send":
            assert faults.attempts == 4, label
        assert_clean_answer(first, 200)
        assert_consistent(issue["id"], run_id, agent)

        again = checkout(api, issue["id"], agent, token)
        assert again.status == 200, (label, again)
        stored, acts = assert_consistent(issue["id"], run_id, agent)
        assert stored.status == "in_progress" and acts["issue.checked_out"] == 1, label
        assert again.json["checkoutRunId"] == run_id and again.json["status"] == "in_progress", label
