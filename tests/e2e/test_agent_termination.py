"""Terminating an agent frees its work, and a run token cannot renew itself (issue #10 items 5–6)."""
from tests.issue_helpers import checkout, new_issue, start_run


def test_terminate_releases_checked_out_issues_and_cancels_runs(api, world):
    alice = world.alice["id"]
    held = new_issue(api, world, assigneeAgentId=alice)
    waiting = new_issue(api, world, assigneeAgentId=alice, status="blocked")
    run_id, token = start_run(api, alice)
    assert checkout(api, held["id"], alice, token, ["todo"]).status == 200

    assert api.post(f"/api/agents/{alice}/terminate").status == 200

    after = api.get(f"/api/issues/{held['id']}").json
    assert (after["status"], after["assigneeAgentId"], after["checkoutRunId"]) == ("todo", None, None)
    other = api.get(f"/api/issues/{waiting['id']}").json
    assert (other["status"], other["assigneeAgentId"]) == ("blocked", None)
    runs = {r["id"]: r for r in api.get(f"/api/agents/{alice}/heartbeat-runs").json}
    assert runs[run_id]["status"] == "cancelled" and runs[run_id]["error"] == "Agent terminated"
    assert not [r for r in runs.values() if r["status"] in ("queued", "running")]
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={held['id']}").json
    released = [a for a in entries if a["action"] == "issue.released"]
    assert [a["details"]["reason"] for a in released] == ["agent_terminated"]
    # another agent takes the work at once
    _, bob_token = start_run(api, world.bob["id"])
    assert checkout(api, held["id"], world.bob["id"], bob_token, ["todo"]).status == 200


def test_no_checkout_lands_after_termination(api, world):
    alice = world.alice["id"]
    issue = new_issue(api, world, assigneeAgentId=alice)
    _, token = start_run(api, alice)
    assert api.post(f"/api/agents/{alice}/terminate").status == 200
    assert checkout(api, issue["id"], alice, token, ["todo"]).status == 401  # the agent cannot authenticate


def test_an_issue_left_with_a_terminated_assignee_can_be_adopted(api, world, clock):
    """A crash between termination's steps (simulated: the status changed, the release not run)."""
    from chalicelib.services.access.principals import LOCAL_BOARD
    from chalicelib.services.runtime import agents

    issue = new_issue(api, world, assigneeAgentId=world.alice["id"])
    agents.change_status(LOCAL_BOARD, world.alice["id"], "terminate", clock.now())
    assert api.get(f"/api/issues/{issue['id']}").json["assigneeAgentId"] == world.alice["id"]
    _, bob_token = start_run(api, world.bob["id"])
    r = checkout(api, issue["id"], world.bob["id"], bob_token, ["todo"])
    assert r.status == 200 and r.json["assigneeAgentId"] == world.bob["id"]
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue['id']}").json
    takeover = [a for a in entries if a["action"] == "issue.stale_lock_takeover"]
    assert [a["details"]["previousAssigneeAgentId"] for a in takeover] == [world.alice["id"]]


def test_a_run_token_cannot_start_runs(api, world):
    """A finished run's token used to mint a fresh run (and token) for ever."""
    alice = world.alice["id"]
    run_id, token = start_run(api, alice)
    assert api.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "succeeded"}, token=token).status == 200
    r = api.post(f"/api/agents/{alice}/heartbeat/invoke", token=token)
    assert r.status == 403 and r.json["details"] == {"credential": "run_jwt"}
    queued = api.post(f"/api/companies/{world.cid}/issues", {"title": "wake", "assigneeAgentId": alice}).json
    queued_run = api.get(f"/api/agents/{alice}/heartbeat-runs?status=queued").json[0]
    assert api.post(f"/api/heartbeat-runs/{queued_run['id']}/start", token=token).status == 403
    assert queued["assigneeAgentId"] == alice
    # the agent's API key still starts runs
    assert api.post(f"/api/agents/{alice}/heartbeat/invoke", token=world.alice_key).status == 200
