"""Checkout and release (SPEC §4)."""
from datetime import datetime

from tests.issue_helpers import activity_actions, checkout, new_issue, queued_wakeups, start_run


def conflict_body(issue_id, status, assignee, run_id):
    return {"error": "Issue checkout conflict",
            "details": {"issueId": issue_id, "status": status, "assigneeAgentId": assignee, "checkoutRunId": run_id}}


def test_checkout_claims_the_issue(api, world, clock):
    issue = new_issue(api, world, status="todo")
    run_id, token = start_run(api, world.alice["id"])
    clock.advance(seconds=2)
    r = checkout(api, issue["identifier"].lower(), world.alice["id"], token, ["todo"])
    assert r.status == 200, r
    assert {k: r.json[k] for k in ("status", "assigneeAgentId", "checkoutRunId", "startedAt", "updatedAt")} == {
        "status": "in_progress", "assigneeAgentId": world.alice["id"], "checkoutRunId": run_id,
        "startedAt": "2026-03-01T12:00:02.000Z", "updatedAt": "2026-03-01T12:00:02.000Z"}
    assert api.get(f"/api/issues/{issue['id']}").json["checkoutRunId"] == run_id
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue['id']}").json
    assert (entries[0]["action"], entries[0]["actorType"], entries[0]["actorId"], entries[0]["runId"]) == (
        "issue.checked_out", "agent", world.alice["id"], run_id)


def test_same_run_again_is_idempotent_whatever_expected(api, world, clock):
    issue = new_issue(api, world, status="backlog")
    _, token = start_run(api, world.alice["id"])
    first = checkout(api, issue["id"], world.alice["id"], token, ["backlog"]).json
    clock.advance(minutes=1)
    for expected in (["backlog"], ["todo"], ["in_progress"], ["done"]):
        r = checkout(api, issue["id"], world.alice["id"], token, expected)
        assert r.status == 200, r
        assert r.json == first
    assert activity_actions(api, world, issue["id"]).count("issue.checked_out") == 1


def test_agents_check_out_only_as_themselves(api, world):
    issue = new_issue(api, world, status="todo")
    _, token = start_run(api, world.alice["id"])
    r = checkout(api, issue["id"], world.bob["id"], token)
    assert r.status == 403, r
    assert api.get(f"/api/issues/{issue['id']}").json["status"] == "todo"


def test_run_is_required_and_never_taken_from_the_body(api, world):
    issue = new_issue(api, world, status="todo")
    r = checkout(api, issue["id"], world.alice["id"], world.alice_key)
    assert r.status == 401 and r.json == {"error": "Agent run id required"}
    run_id, _ = start_run(api, world.alice["id"])
    r = api.post(f"/api/issues/{issue['id']}/checkout",
                 {"agentId": world.alice["id"], "expectedStatuses": ["todo"], "runId": run_id}, token=world.alice_key)
    assert r.status == 400 and r.json["details"] == {"runId": "unknown field"}
    # an agent key plus the run header works
    r = api.post(f"/api/issues/{issue['id']}/checkout", {"agentId": world.alice["id"], "expectedStatuses": ["todo"]},
                 token=world.alice_key, run_id=run_id)
    assert r.status == 200 and r.json["checkoutRunId"] == run_id


def test_bad_checkout_bodies(api, world):
    issue = new_issue(api, world, status="todo")
    _, token = start_run(api, world.alice["id"])
    for body, field in [({"agentId": world.alice["id"]}, "expectedStatuses"),
                        ({"agentId": world.alice["id"], "expectedStatuses": []}, "expectedStatuses"),
                        ({"agentId": world.alice["id"], "expectedStatuses": ["doing"]}, "expectedStatuses.0"),
                        ({"expectedStatuses": ["todo"]}, "agentId")]:
        r = api.post(f"/api/issues/{issue['id']}/checkout", body, token=token)
        assert r.status == 400, (body, r)
        assert field in r.json["details"], (body, r)


def test_conflicts_are_409_with_the_lock_state(api, world):
    issue = new_issue(api, world, status="todo")
    alice_run, alice_token = start_run(api, world.alice["id"])
    _, bob_token = start_run(api, world.bob["id"])
    # status not among the expected ones
    r = checkout(api, issue["id"], world.alice["id"], alice_token, ["backlog"])
    assert r.status == 409 and r.json == conflict_body(issue["id"], "todo", None, None)
    assert checkout(api, issue["id"], world.alice["id"], alice_token, ["todo"]).status == 200
    # another agent, even expecting in_progress
    r = checkout(api, issue["id"], world.bob["id"], bob_token, ["todo", "in_progress"])
    assert r.status == 409 and r.json == conflict_body(issue["id"], "in_progress", world.alice["id"], alice_run)
    # another active run of the same agent
    _, alice_token2 = start_run(api, world.alice["id"])
    r = checkout(api, issue["id"], world.alice["id"], alice_token2, ["in_progress"])
    assert r.status == 409 and r.json == conflict_body(issue["id"], "in_progress", world.alice["id"], alice_run)
    # assigned (not checked out) to someone else
    bobs = new_issue(api, world, assigneeAgentId=world.bob["id"])
    r = checkout(api, bobs["id"], world.alice["id"], alice_token, ["todo"])
    assert r.status == 409 and r.json == conflict_body(bobs["id"], "todo", world.bob["id"], None)
    # assigned to the caller (not checked out): fine
    mine = new_issue(api, world, assigneeAgentId=world.alice["id"])
    assert checkout(api, mine["id"], world.alice["id"], alice_token, ["todo"]).status == 200


def test_terminal_issues_cannot_be_checked_out(api, world):
    issue = new_issue(api, world)
    api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled"})
    _, token = start_run(api, world.alice["id"])
    r = checkout(api, issue["id"], world.alice["id"], token, ["cancelled"])
    assert r.status == 422 and r.json["details"] == {"from": "cancelled", "to": "in_progress"}
    assert checkout(api, issue["id"], world.alice["id"], token, ["todo"]).status == 409


def test_stale_lock_is_adopted_after_the_run_finishes(api, world, clock):
    issue = new_issue(api, world, status="todo")
    old_run, old_token = start_run(api, world.alice["id"])
    assert checkout(api, issue["id"], world.alice["id"], old_token, ["todo"]).status == 200
    assert api.post(f"/api/heartbeat-runs/{old_run}/finish", {"status": "failed"}, token=old_token).status == 200
    new_run, new_token = start_run(api, world.alice["id"])
    clock.advance(seconds=5)
    # upstream: the same agent's new run adopts its own stale in_progress issue whatever expectedStatuses
    # says (the skill never lists in_progress: skill.md gap #1)
    r = checkout(api, issue["id"], world.alice["id"], new_token, ["todo"])
    assert r.status == 200, r
    assert (r.json["checkoutRunId"], r.json["status"], r.json["startedAt"]) == (
        new_run, "in_progress", "2026-03-01T12:00:00.000Z")  # still the original start
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue['id']}").json
    assert entries[0]["action"] == "issue.stale_lock_takeover"
    assert entries[0]["details"]["previousRunId"] == old_run


def test_stale_lock_is_adopted_after_the_run_times_out(api, world, clock):
    issue = new_issue(api, world, status="todo")
    old_run, old_token = start_run(api, world.alice["id"])
    assert checkout(api, issue["id"], world.alice["id"], old_token, ["todo"]).status == 200
    expires = api.get(f"/api/agents/{world.alice['id']}/heartbeat-runs?status=running").json[0]["expiresAt"]
    clock.set(datetime.fromisoformat(expires.replace("Z", "+00:00")))
    _, bob_token = start_run(api, world.bob["id"])
    # the timed-out lock no longer blocks others' comments, but another agent still cannot take it
    assert api.post(f"/api/issues/{issue['id']}/comments", {"body": "ping"}, token=bob_token).status == 201
    assert checkout(api, issue["id"], world.bob["id"], bob_token, ["in_progress"]).status == 409
    new_run, new_token = start_run(api, world.alice["id"])
    r = checkout(api, issue["id"], world.alice["id"], new_token, ["in_progress"])
    assert r.status == 200 and r.json["checkoutRunId"] == new_run


def test_a_finished_run_cannot_check_out(api, world):
    issue = new_issue(api, world, status="todo")
    run_id, token = start_run(api, world.alice["id"])
    api.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "succeeded"})
    r = checkout(api, issue["id"], world.alice["id"], token, ["todo"])
    assert r.status == 409 and r.json["details"] == {"runId": run_id, "status": "succeeded"}


def test_board_checks_out_on_behalf_of_an_agent_with_its_run(api, world):
    issue = new_issue(api, world, status="todo")
    body = {"agentId": world.alice["id"], "expectedStatuses": ["todo"]}
    bob_run, _ = start_run(api, world.bob["id"])
    assert api.post(f"/api/issues/{issue['id']}/checkout", body, run_id=bob_run).status == 403
    assert api.post(f"/api/issues/{issue['id']}/checkout", body,
                    run_id="2b1f4a0e-6a8b-4a55-9f39-0c7a1f3f0a11").status == 404
    alice_run, _ = start_run(api, world.alice["id"])
    r = api.post(f"/api/issues/{issue['id']}/checkout", body, run_id=alice_run)
    assert r.status == 200 and (r.json["assigneeAgentId"], r.json["checkoutRunId"]) == (world.alice["id"], alice_run)


def test_board_checkout_without_a_run_assigns_and_wakes_the_agent(api, world):
    """The CLI's `issue checkout --agent-id X` (upstream: assigned, in_progress, no checkout run, the
    agent woken); the agent's next run adopts it whatever expectedStatuses says (skill.md gap #1)."""
    issue = new_issue(api, world, status="todo")
    r = api.post(f"/api/issues/{issue['id']}/checkout", {"agentId": world.alice["id"], "expectedStatuses": ["todo"]})
    assert r.status == 200, r
    assert (r.json["status"], r.json["assigneeAgentId"], r.json["checkoutRunId"]) == ("in_progress", world.alice["id"], None)
    assert [w["reason"] for w in queued_wakeups(api, world.alice["id"])] == ["issue_checked_out"]
    run_id, token = start_run(api, world.alice["id"])
    r = checkout(api, issue["id"], world.alice["id"], token, ["todo", "backlog", "blocked"])
    assert r.status == 200 and r.json["checkoutRunId"] == run_id, r
    # another agent cannot take it
    _, bob_token = start_run(api, world.bob["id"])
    assert checkout(api, issue["id"], world.bob["id"], bob_token, ["in_progress"]).status == 409


def test_release_by_the_assignee_run(api, world, clock):
    issue = new_issue(api, world, status="todo")
    run_id, token = start_run(api, world.alice["id"])
    checkout(api, issue["id"], world.alice["id"], token, ["todo"])
    _, bob_token = start_run(api, world.bob["id"])
    r = api.post(f"/api/issues/{issue['id']}/release", token=bob_token)
    assert r.status == 409 and r.json["details"]["checkoutRunId"] == run_id
    r = api.post(f"/api/issues/{issue['id']}/release", token=world.alice_key)
    assert r.status == 401 and r.json == {"error": "Agent run id required"}
    _, other_alice_token = start_run(api, world.alice["id"])
    assert api.post(f"/api/issues/{issue['id']}/release", token=other_alice_token).status == 409
    clock.advance(seconds=1)
    r = api.post(f"/api/issues/{issue['id']}/release", token=token)
    assert r.status == 200, r
    assert {k: r.json[k] for k in ("status", "assigneeAgentId", "checkoutRunId", "updatedAt")} == {
        "status": "todo", "assigneeAgentId": None, "checkoutRunId": None, "updatedAt": "2026-03-01T12:00:01.000Z"}
    assert api.get(f"/api/issues/{issue['id']}").json["status"] == "todo"
    assert activity_actions(api, world, issue["id"])[0] == "issue.released"
    # once released, anyone may check it out
    assert checkout(api, issue["id"], world.bob["id"], bob_token, ["todo"]).status == 200


def test_board_releases_and_other_statuses_stay(api, world):
    issue = new_issue(api, world, status="todo")
    _, token = start_run(api, world.alice["id"])
    checkout(api, issue["id"], world.alice["id"], token, ["todo"])
    r = api.post(f"/api/issues/{issue['id']}/release")
    assert r.status == 200 and (r.json["status"], r.json["assigneeAgentId"]) == ("todo", None)
    api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled"})
    # upstream: release keeps every status but in_progress
    r = api.post(f"/api/issues/{issue['id']}/release")
    assert r.status == 200 and (r.json["status"], r.json["assigneeAgentId"]) == ("cancelled", None), r
    # the assignee may release after its holding run went stale
    other = new_issue(api, world, status="todo")
    run_id, token = start_run(api, world.alice["id"])
    checkout(api, other["id"], world.alice["id"], token, ["todo"])
    api.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "succeeded"})
    _, token2 = start_run(api, world.alice["id"])
    assert api.post(f"/api/issues/{other['id']}/release", token=token2).status == 200


def test_seed_walkthrough_with_an_agent_key_and_the_run_header(api, world, clock):
    """docs/api/issues.md as written: key + X-Paperclip-Run-Id, checkout, update with comment, re-claim."""
    issue = new_issue(api, world, title="Implement caching layer", status="todo", priority="high",
                      assigneeAgentId=world.alice["id"], projectId=world.project["id"], goalId=world.goal["id"])
    run_id, _ = start_run(api, world.alice["id"])
    key = world.alice_key
    listed = api.get(f"/api/companies/{world.cid}/issues?status=todo,in_progress", token=key)
    assert [i["id"] for i in listed.json] == [issue["id"]]
    r = api.post(f"/api/issues/{issue['id']}/checkout",
                 {"agentId": world.alice["id"], "expectedStatuses": ["todo", "backlog", "blocked"]}, token=key, run_id=run_id)
    assert r.status == 200 and r.json["checkoutRunId"] == run_id
    # the run crashes; the next run re-claims with expectedStatuses ["in_progress"]
    api.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "failed", "error": "crash"})
    run2, _ = start_run(api, world.alice["id"])
    r = api.post(f"/api/issues/{issue['id']}/checkout",
                 {"agentId": world.alice["id"], "expectedStatuses": ["in_progress"]}, token=key, run_id=run2)
    assert r.status == 200 and r.json["checkoutRunId"] == run2
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "Progress update in markdown..."}, token=key, run_id=run2)
    assert r.status == 201
    clock.advance(seconds=1)
    r = api.patch(f"/api/issues/{issue['id']}", {"status": "done", "comment": "Implemented caching with 90% hit rate."},
                  token=key, run_id=run2)
    assert r.status == 200 and r.json["status"] == "done"
    assert [c["body"] for c in api.get(f"/api/issues/{issue['id']}/comments?order=asc", token=key).json] == [
        "Progress update in markdown...", "Implemented caching with 90% hit rate."]
