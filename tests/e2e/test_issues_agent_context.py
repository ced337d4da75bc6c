"""What an agent reads at the start of a heartbeat (issue #14; validators.md §9.2, §9.3; skill.md Steps 3
and 6a): `GET /api/agents/me/inbox-lite` and `GET /api/issues/{id}/heartbeat-context`."""
from tests.e2e.authz.cases import _multipart
from tests.issue_helpers import checkout, new_issue, start_run


def test_inbox_lite_lists_the_agent_s_open_issues(api, world, clock):
    blocker = new_issue(api, world, title="Blocker", status="todo")
    low = new_issue(api, world, title="Low", priority="low", assigneeAgentId=world.alice["id"])
    clock.advance(seconds=1)
    high = new_issue(api, world, title="High", priority="high", assigneeAgentId=world.alice["id"],
                     blockedByIssueIds=[blocker["id"]])
    new_issue(api, world, title="Bob's", assigneeAgentId=world.bob["id"])
    done = new_issue(api, world, title="Done", assigneeAgentId=world.alice["id"])
    assert api.patch(f"/api/issues/{done['id']}", {"status": "cancelled"}).status == 200
    run_id, token = start_run(api, world.alice["id"])
    assert checkout(api, low["id"], world.alice["id"], token, ["todo"]).status == 200

    r = api.get("/api/agents/me/inbox-lite", token=token)
    assert r.status == 200, r
    assert [i["id"] for i in r.json] == [high["id"], low["id"]]
    first, second = r.json
    assert (first["dependencyReady"], first["unresolvedBlockerCount"], first["unresolvedBlockerIssueIds"]) == (
        False, 1, [blocker["id"]])
    assert (second["status"], second["dependencyReady"], second["unresolvedBlockerCount"]) == ("in_progress", True, 0)
    assert second["activeRun"]["id"] == run_id
    assert first["activeRun"] is None
    # the same for the agent's key; the board has no "me"
    assert [i["id"] for i in api.get("/api/agents/me/inbox-lite", token=world.alice_key).json] == [high["id"], low["id"]]
    assert api.get("/api/agents/me/inbox-lite").status == 403  # the permission table: board users DENY on agent.me
    assert api.get("/api/agents/me/inbox-lite", token=world.bob_key).json[0]["title"] == "Bob's"


def test_heartbeat_context(api, world, clock):
    parent = new_issue(api, world, title="Parent")
    blocker = new_issue(api, world, title="Blocker")
    issue = new_issue(api, world, title="Work", parentId=parent["id"], projectId=world.project["id"],
                      goalId=world.goal["id"], blockedByIssueIds=[blocker["id"]])
    first = api.post(f"/api/issues/{issue['id']}/comments", {"body": "one"}).json
    clock.advance(seconds=1)
    last = api.post(f"/api/issues/{issue['id']}/comments", {"body": "two"}).json
    body, headers = _multipart()
    assert api.call("POST", f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=body,
                    headers=headers).status == 201

    r = api.get(f"/api/issues/{issue['identifier']}/heartbeat-context?wakeCommentId={first['id']}")
    assert r.status == 200, r
    ctx = r.json
    assert (ctx["issue"]["id"], ctx["issue"]["title"], ctx["issue"]["workMode"]) == (issue["id"], "Work", "standard")
    assert [b["id"] for b in ctx["issue"]["blockedBy"]] == [blocker["id"]]
    assert [a["id"] for a in ctx["ancestors"]] == [parent["id"]]
    assert (ctx["project"]["id"], ctx["goal"]["id"]) == (world.project["id"], world.goal["id"])
    assert ctx["commentCursor"] == {"totalComments": 2, "latestCommentId": last["id"], "latestCommentAt": last["createdAt"]}
    assert ctx["wakeComment"]["id"] == first["id"]
    assert [a["filename"] for a in ctx["attachments"]] == ["notes.txt"]
    assert ctx["continuationSummary"] is None
    # a wake comment of another issue is not returned
    other = new_issue(api, world)
    foreign = api.post(f"/api/issues/{other['id']}/comments", {"body": "x"}).json
    assert api.get(f"/api/issues/{issue['id']}/heartbeat-context?wakeCommentId={foreign['id']}").json["wakeComment"] is None
    assert api.get("/api/issues/00000000-0000-4000-8000-000000000000/heartbeat-context").status == 404


def test_continuation_summary_document(api, world):
    issue = new_issue(api, world)
    assert api.put(f"/api/issues/{issue['id']}/documents/continuation-summary",
                   {"format": "markdown", "body": "where I stopped"}).status == 201
    ctx = api.get(f"/api/issues/{issue['id']}/heartbeat-context").json
    assert ctx["continuationSummary"]["body"] == "where I stopped"
