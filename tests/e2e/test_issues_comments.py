"""Issue comments and mention wakeups (SPEC §4)."""
from tests.helpers import create
from tests.issue_helpers import activity_actions, checkout, new_issue, queued_wakeups, start_run


def test_post_and_list_comments(api, world, clock):
    issue = new_issue(api, world)
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "First"})
    assert r.status == 201, r
    first = r.json
    assert first == {**first, "issueId": issue["id"], "companyId": world.cid, "authorType": "board",
                     "authorAgentId": None, "authorUserId": "local-board", "body": "First",
                     "createdAt": "2026-03-01T12:00:00.000Z"}
    assert set(first) == {"id", "issueId", "companyId", "authorType", "authorAgentId", "authorUserId", "body", "createdAt",
                          # upstream's IssueComment fields (issue #14)
                          "updatedAt", "createdByRunId", "clientRequestId", "onBehalfOfUserId", "presentation",
                          "metadata", "followUpRequested", "deletedAt"}
    clock.advance(seconds=1)
    second = api.post(f"/api/issues/{issue['id']}/comments", {"body": "Second"}, token=world.bob_key).json
    assert (second["authorType"], second["authorAgentId"], second["authorUserId"]) == ("agent", world.bob["id"], None)
    clock.advance(seconds=1)
    third = api.post(f"/api/issues/{issue['identifier']}/comments", {"body": "x" * 65_536}).json
    listed = api.get(f"/api/issues/{issue['id']}/comments")
    assert listed.status == 200
    # upstream's order: newest first unless order=asc (validators.md §9.6)
    assert [c["id"] for c in listed.json] == [third["id"], second["id"], first["id"]]
    for order, expected in (("asc", [first["id"], second["id"], third["id"]]), ("desc", [third["id"], second["id"], first["id"]])):
        page1 = api.get(f"/api/issues/{issue['id']}/comments?order={order}&limit=2")
        page2 = api.get(f"/api/issues/{issue['id']}/comments?order={order}&limit=2&cursor={page1.headers['x-next-cursor']}")
        assert [c["id"] for c in page1.json + page2.json] == expected
    assert "x-next-cursor" not in page2.headers
    assert activity_actions(api, world, issue["id"]).count("issue.comment_added") == 3


def test_bad_comment_bodies(api, world):
    issue = new_issue(api, world)
    for body in ({}, {"body": ""}, {"body": "x" * 65_537}, {"body": 3}, {"body": "x", "extra": 1}):
        r = api.post(f"/api/issues/{issue['id']}/comments", body)
        assert r.status == 400, (body, r)
    assert api.post("/api/issues/ACM-99/comments", {"body": "x"}).status == 404


def test_mentions_wake_the_mentioned_agents(api, world):
    carol = create(api, f"/api/companies/{world.cid}/agents", {"name": "Carol"})
    issue = new_issue(api, world)
    body = 'Hey @alice and @"Bob Builder", also @ALICE again, @nobody, mail x@carol.com'
    comment = api.post(f"/api/issues/{issue['id']}/comments", {"body": body}).json
    for agent in (world.alice, world.bob):
        assert queued_wakeups(api, agent["id"]) == [{"reason": "issue_comment_mentioned", "issueId": issue["id"],
                                                     "commentId": comment["id"], "at": "2026-03-01T12:00:00.000Z",
                                                     "source": "automation", "triggerDetail": "system"}]
    assert queued_wakeups(api, carol["id"]) == []


def test_mentions_follow_renames_without_reading_the_company_s_agents(api, world):
    from chalicelib.store.request_count import counting

    issue = new_issue(api, world)
    assert api.patch(f"/api/agents/{world.bob['id']}", {"name": "Robert Builder"}).status == 200
    with counting() as calls:
        assert api.post(f"/api/issues/{issue['id']}/comments", {"body": '@"Bob Builder" and @"robert BUILDER"'}).status == 201
    assert [w["reason"] for w in queued_wakeups(api, world.bob["id"])] == ["issue_comment_mentioned"]
    # names resolve through the agents' unique-name keys, not a Query of every agent in the company
    assert "Query" not in calls and "Scan" not in calls, dict(calls)


def test_comment_wakes_the_assignee_unless_it_wrote_it(api, world):
    issue = new_issue(api, world, assigneeAgentId=world.alice["id"])
    start_run(api, world.alice["id"])  # consumes the assignment wakeup
    comment = api.post(f"/api/issues/{issue['id']}/comments", {"body": "from bob"}, token=world.bob_key).json
    assert [(w["reason"], w["commentId"]) for w in queued_wakeups(api, world.alice["id"])] == [("issue_commented", comment["id"])]
    assert queued_wakeups(api, world.bob["id"]) == []
    start_run(api, world.alice["id"])
    api.post(f"/api/issues/{issue['id']}/comments", {"body": "from alice, cc @Alice @alice"}, token=world.alice_key)
    assert queued_wakeups(api, world.alice["id"]) == []  # no self-wakeups, even when mentioning oneself
    # a mentioned assignee gets one wakeup for the comment, not two
    comment = api.post(f"/api/issues/{issue['id']}/comments", {"body": "@Alice look"}).json
    assert [(w["reason"], w["commentId"]) for w in queued_wakeups(api, world.alice["id"])] == [("issue_comment_mentioned", comment["id"])]


def test_terminated_agents_are_not_woken(api, world):
    issue = new_issue(api, world)
    api.post(f"/api/agents/{world.bob['id']}/terminate")
    assert api.post(f"/api/issues/{issue['id']}/comments", {"body": '@"Bob Builder" hi'}).status == 201
    runs = api.get(f"/api/agents/{world.bob['id']}/heartbeat-runs").json
    # only the wakeup slot its termination closed: cancelled, and nothing joined it
    assert [(r["status"], r["wakeups"], r["error"]) for r in runs] == [("cancelled", [], "Agent terminated")]


def test_commenting_on_an_issue_held_by_another_active_run(api, world):
    issue = new_issue(api, world, status="todo")
    _, alice_token = start_run(api, world.alice["id"])
    checkout(api, issue["id"], world.alice["id"], alice_token, ["todo"])
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "progress"}, token=alice_token)
    assert r.status == 201
    _, bob_token = start_run(api, world.bob["id"])
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "me too"}, token=bob_token)
    assert r.status == 409 and r.json["error"] == "Issue is checked out by another run"
    assert api.post(f"/api/issues/{issue['id']}/comments", {"body": "board"}).status == 201
    assert [c["body"] for c in api.get(f"/api/issues/{issue['id']}/comments").json] in (
        ["progress", "board"], ["board", "progress"])


def test_a_body_full_of_mentions_costs_one_name_lookup(api, world):
    from chalicelib.services.issues.issue_comments import MAX_MENTIONED_NAMES
    from chalicelib.store.request_count import counting

    issue = new_issue(api, world)
    body = " ".join(f"@ghost{i}" for i in range(3 * MAX_MENTIONED_NAMES)) + " @alice"
    with counting() as calls:
        assert api.post(f"/api/issues/{issue['id']}/comments", {"body": body}).status == 201
    assert calls["TransactGetItems"] <= 2, dict(calls)  # the names, then the issue's agents
    assert queued_wakeups(api, world.alice["id"]) == []  # beyond the first names looked up


def test_an_agent_among_the_first_names_is_woken(api, world):
    from chalicelib.services.issues.issue_comments import MAX_MENTIONED_NAMES

    issue = new_issue(api, world)
    body = " ".join(f"@ghost{i}" for i in range(MAX_MENTIONED_NAMES - 1)) + " @alice @ghostly"
    assert api.post(f"/api/issues/{issue['id']}/comments", {"body": body}).status == 201
    assert [w["reason"] for w in queued_wakeups(api, world.alice["id"])] == ["issue_comment_mentioned"]
