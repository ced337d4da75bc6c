"""PATCH /api/issues/{issueId}: transitions, side effects, references, guards (SPEC §4)."""
from chalicelib.logic.issue_status import STATUSES
from tests.issue_helpers import activity_actions, checkout, new_issue, queued_wakeups, start_run
from tests.unit.logic.test_issue_status import ALLOWED


def issue_in(api, world, status, token, **fields):
    """An issue (assigned to Alice when it must be checked out) brought to `status` via the API."""
    if status in ("backlog", "todo", "blocked"):
        return new_issue(api, world, status=status, **fields)
    if status == "cancelled":
        issue = new_issue(api, world, **fields)
        return api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled"}).json
    issue = new_issue(api, world, status="todo", **fields)
    r = checkout(api, issue["id"], world.alice["id"], token)
    assert r.status == 200, r
    for step in {"in_progress": [], "in_review": ["in_review"], "done": ["in_review", "done"]}[status]:
        r = api.patch(f"/api/issues/{issue['id']}", {"status": step}, token=token)
        assert r.status == 200, r
    return r.json


def test_every_transition_through_the_api(api, world):
    _, token = start_run(api, world.alice["id"])
    for from_status in STATUSES:
        refused = issue_in(api, world, from_status, token)  # forbidden moves leave it as it was
        for to_status in STATUSES:
            if from_status == to_status:
                continue
            if (from_status, to_status) in ALLOWED:
                issue = issue_in(api, world, from_status, token)
                r = api.patch(f"/api/issues/{issue['id']}", {"status": to_status})
                assert r.status == 200, (from_status, to_status, r)
                assert r.json["status"] == to_status
            else:
                r = api.patch(f"/api/issues/{refused['id']}", {"status": to_status})
                assert r.status == 422, (from_status, to_status, r)
                assert r.json["details"] == {"from": from_status, "to": to_status}
        assert api.get(f"/api/issues/{refused['id']}").json["status"] == from_status


def test_patch_to_in_progress_points_to_checkout(api, world):
    issue = new_issue(api, world, status="todo")
    r = api.patch(f"/api/issues/{issue['id']}", {"status": "in_progress"})
    assert r.status == 422
    assert "checkout" in r.json["error"]
    assert r.json["details"] == {"from": "todo", "to": "in_progress"}


def test_side_effects(api, world, clock):
    run_id, token = start_run(api, world.alice["id"])
    issue = issue_in(api, world, "in_progress", token)
    assert issue["startedAt"] == "2026-03-01T12:00:00.000Z" and issue["checkoutRunId"] == run_id
    clock.advance(minutes=1)
    done = api.patch(f"/api/issues/{issue['id']}", {"status": "done"}, token=token).json
    assert done["completedAt"] == "2026-03-01T12:01:00.000Z"
    assert done["checkoutRunId"] is None and done["assigneeAgentId"] == world.alice["id"]
    assert done["startedAt"] == "2026-03-01T12:00:00.000Z" and done["cancelledAt"] is None
    assert done["updatedAt"] == "2026-03-01T12:01:00.000Z"

    other = new_issue(api, world)
    clock.advance(minutes=1)
    cancelled = api.patch(f"/api/issues/{other['id']}", {"status": "cancelled"}).json
    assert cancelled["cancelledAt"] == "2026-03-01T12:02:00.000Z" and cancelled["completedAt"] is None

    blocked = issue_in(api, world, "in_progress", token)
    r = api.patch(f"/api/issues/{blocked['id']}", {"status": "blocked"}, token=token)
    assert r.json["checkoutRunId"] is None and r.json["status"] == "blocked"


def test_same_status_is_a_noop(api, world, clock):
    issue = new_issue(api, world, status="todo")
    clock.advance(minutes=5)
    r = api.patch(f"/api/issues/{issue['id']}", {"status": "todo"})
    assert r.status == 200 and r.json == {**issue, "changes": {}, "comment": None}  # nothing written, updatedAt unchanged
    assert activity_actions(api, world, issue["id"]) == ["issue.created"]
    done = api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled"}).json
    r = api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled", "title": "renamed"})
    assert r.status == 200
    assert r.json["title"] == "renamed" and r.json["cancelledAt"] == done["cancelledAt"]


def test_updatable_fields_and_activity(api, world, clock):
    parent = new_issue(api, world)
    issue = new_issue(api, world)
    clock.advance(seconds=3)
    body = {"title": "New", "description": "Desc", "priority": "critical", "projectId": world.project["id"],
            "goalId": world.goal["id"], "parentId": parent["identifier"], "billingCode": "B-1"}
    r = api.patch(f"/api/issues/{issue['id']}", body)
    assert r.status == 200, r
    assert {k: r.json[k] for k in body} == {**body, "parentId": parent["id"]}
    assert r.json["updatedAt"] == "2026-03-01T12:00:03.000Z"
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue['id']}").json
    assert [e["action"] for e in entries] == ["issue.updated", "issue.created"]
    assert entries[0]["details"]["fields"] == sorted(body)
    # nullable fields clear with null
    r = api.patch(f"/api/issues/{issue['id']}", {"description": None, "projectId": None, "goalId": None,
                                                 "parentId": None, "billingCode": None})
    assert [r.json[k] for k in ("description", "projectId", "goalId", "parentId", "billingCode")] == [None] * 5


def test_bad_bodies(api, world):
    issue = new_issue(api, world)
    for body, field in [({"title": None}, "title"), ({"status": None}, "status"), ({"priority": None}, "priority"),
                        ({"title": ""}, "title"), ({"status": "doing"}, "status"), ({"runId": "x"}, "runId"),
                        ({"comment": ""}, "comment"), ({"comment": "c" * 65_537}, "comment"),
                        ({"identifier": "ACM-9"}, "identifier")]:
        r = api.patch(f"/api/issues/{issue['id']}", body)
        assert r.status == 400, (body, r)
        assert field in r.json["details"], (body, r)


def test_reference_rules(api, world):
    from tests.helpers import make_world

    other = make_world(api, "Globex")
    issue = new_issue(api, world)
    assert api.patch(f"/api/issues/{issue['id']}", {"projectId": other.project["id"]}).status == 422
    assert api.patch(f"/api/issues/{issue['id']}", {"assigneeAgentId": other.alice["id"]}).status == 422
    assert api.patch(f"/api/issues/{issue['id']}", {"goalId": "8d7c0f3e-4b7a-4c52-9a0e-3f1d2c3b4a5f"}).status == 404
    assert api.patch(f"/api/issues/{issue['id']}", {"parentId": "ACM-77"}).status == 404
    assert api.post(f"/api/agents/{world.bob['id']}/terminate").status == 200
    r = api.patch(f"/api/issues/{issue['id']}", {"assigneeAgentId": world.bob["id"]})
    assert r.status == 409 and r.json["details"]["status"] == "terminated"


def test_parent_cycles_are_422(api, world):
    a = new_issue(api, world, title="a")
    b = new_issue(api, world, title="b", parentId=a["id"])
    c = new_issue(api, world, title="c", parentId=b["id"])
    for issue, parent in ((a, c), (a, b), (a, a), (b, c)):
        r = api.patch(f"/api/issues/{issue['id']}", {"parentId": parent["id"]})
        assert r.status == 422, r
        assert "cycle" in r.json["error"]
    assert api.patch(f"/api/issues/{c['id']}", {"parentId": a["id"]}).status == 200  # not a cycle


def test_assigning_wakes_unless_backlog_done_or_cancelled(api, world):
    todo = new_issue(api, world, status="todo")
    r = api.patch(f"/api/issues/{todo['id']}", {"assigneeAgentId": world.bob["id"]})
    assert r.status == 200 and r.json["assigneeAgentId"] == world.bob["id"]
    assert [(w["reason"], w["issueId"]) for w in queued_wakeups(api, world.bob["id"])] == [("issue_assigned", todo["id"])]

    backlog = new_issue(api, world)
    api.patch(f"/api/issues/{backlog['id']}", {"assigneeAgentId": world.alice["id"]})
    cancelled = new_issue(api, world)
    api.patch(f"/api/issues/{cancelled['id']}", {"status": "cancelled"})
    api.patch(f"/api/issues/{cancelled['id']}", {"assigneeAgentId": world.alice["id"]})
    assert queued_wakeups(api, world.alice["id"]) == []
    # moving out of backlog while assigning wakes (the resulting status counts)
    other = new_issue(api, world)
    api.patch(f"/api/issues/{other['id']}", {"assigneeAgentId": world.alice["id"], "status": "todo"})
    assert [w["issueId"] for w in queued_wakeups(api, world.alice["id"])] == [other["id"]]
    # re-setting the same assignee is not an assignment
    api.patch(f"/api/issues/{other['id']}", {"assigneeAgentId": world.alice["id"]})
    assert len(queued_wakeups(api, world.alice["id"])) == 1


def test_changing_assignee_clears_checkout(api, world):
    _, token = start_run(api, world.alice["id"])
    issue = issue_in(api, world, "in_progress", token)
    r = api.patch(f"/api/issues/{issue['id']}", {"assigneeAgentId": world.bob["id"]})
    assert r.status == 200
    assert (r.json["status"], r.json["assigneeAgentId"], r.json["checkoutRunId"]) == ("in_progress", world.bob["id"], None)
    issue2 = issue_in(api, world, "in_progress", token)
    r = api.patch(f"/api/issues/{issue2['id']}", {"assigneeAgentId": None})
    assert (r.json["assigneeAgentId"], r.json["checkoutRunId"]) == (None, None)


def test_agent_needs_a_run_for_in_progress_issues(api, world):
    _, token = start_run(api, world.alice["id"])
    issue = issue_in(api, world, "in_progress", token)
    r = api.patch(f"/api/issues/{issue['id']}", {"title": "x"}, token=world.alice_key)
    assert r.status == 401 and r.json == {"error": "Agent run id required"}
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "x"}, token=world.alice_key)
    assert r.status == 401 and r.json == {"error": "Agent run id required"}
    # an issue that is not in progress needs no run
    todo = new_issue(api, world, status="todo")
    assert api.patch(f"/api/issues/{todo['id']}", {"title": "y"}, token=world.alice_key).status == 200
    # the run of the key's agent given as header is enough
    run_id = api.get(f"/api/agents/{world.alice['id']}/heartbeat-runs?status=running").json[0]["id"]
    r = api.patch(f"/api/issues/{issue['id']}", {"title": "x"}, token=world.alice_key, run_id=run_id)
    assert r.status == 200, r


def test_another_active_run_holding_the_issue_is_409(api, world, clock):
    alice_run, alice_token = start_run(api, world.alice["id"])
    issue = issue_in(api, world, "in_progress", alice_token)
    _, bob_token = start_run(api, world.bob["id"])
    _, alice_token2 = start_run(api, world.alice["id"])
    for token in (bob_token, alice_token2):
        r = api.patch(f"/api/issues/{issue['id']}", {"title": "mine"}, token=token)
        assert r.status == 409, r
        assert r.json == {"error": "Issue is checked out by another run", "details": {
            "issueId": issue["id"], "status": "in_progress", "assigneeAgentId": world.alice["id"],
            "checkoutRunId": alice_run}}
        assert api.post(f"/api/issues/{issue['id']}/comments", {"body": "hi"}, token=token).status == 409
    # the board is never blocked; the holder itself is not either
    assert api.patch(f"/api/issues/{issue['id']}", {"title": "board"}).status == 200
    assert api.patch(f"/api/issues/{issue['id']}", {"title": "holder"}, token=alice_token).status == 200
    # once the holding run has finished, its lock no longer blocks anyone
    assert api.post(f"/api/heartbeat-runs/{alice_run}/finish", {"status": "succeeded"}).status == 200
    assert api.patch(f"/api/issues/{issue['id']}", {"title": "bob"}, token=bob_token).status == 200


def test_patch_with_comment(api, world):
    _, token = start_run(api, world.alice["id"])
    issue = issue_in(api, world, "in_progress", token)
    r = api.patch(f"/api/issues/{issue['id']}", {"status": "done", "comment": "Implemented. cc @\"Bob Builder\""},
                  headers={"Authorization": f"Bearer {token}"})
    assert r.status == 200, r
    assert r.json["status"] == "done"
    comments = api.get(f"/api/issues/{issue['id']}/comments").json
    assert [(c["body"], c["authorAgentId"]) for c in comments] == [("Implemented. cc @\"Bob Builder\"", world.alice["id"])]
    assert [(w["reason"], w["commentId"]) for w in queued_wakeups(api, world.bob["id"])] == [("issue_comment_mentioned", comments[0]["id"])]
    assert queued_wakeups(api, world.alice["id"]) == []  # the author is the assignee: no self-wakeup
    assert sorted(activity_actions(api, world, issue["id"])) == sorted(
        ["issue.created", "issue.checked_out", "issue.updated", "issue.comment_added"])
    # a board comment alone (no status) on the agent's closed issue reopens it and wakes the assignee
    # (upstream's rule: validators.md §5.2, §9.13)
    r = api.patch(f"/api/issues/{issue['id']}", {"comment": "board note"})
    assert r.status == 200 and r.json["status"] == "todo", r
    assert len(api.get(f"/api/issues/{issue['id']}/comments").json) == 2
    assert [w["reason"] for w in queued_wakeups(api, world.alice["id"])] == ["issue_reopened_via_comment"]


def test_reassign_with_comment_wakes_once(api, world):
    issue = new_issue(api, world, status="todo")
    r = api.patch(f"/api/issues/{issue['id']}", {"assigneeAgentId": world.bob["id"], "comment": "@\"bob builder\" yours"})
    assert r.status == 200, r
    assert [w["reason"] for w in queued_wakeups(api, world.bob["id"])] == ["issue_assigned"]


def test_unknown_issue_is_404(api, world):
    assert api.patch("/api/issues/ACM-404", {"title": "x"}).status == 404
