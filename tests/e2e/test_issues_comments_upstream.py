"""Comments with upstream's semantics (issue #14; validators.md §9.6, §9.13; skill.md 6b/6c; cli.md §7.4):
newest first by default, `after`/`afterCommentId` anchors, one comment by id, reopen/resume,
attachmentIds, structured mentions."""
from tests.e2e.authz.cases import _multipart
from tests.issue_helpers import checkout, new_issue, queued_wakeups, start_run


def _comments(api, issue_id, n, clock):
    ids = []
    for i in range(n):
        r = api.post(f"/api/issues/{issue_id}/comments", {"body": f"c{i}"})
        assert r.status == 201, r
        ids.append(r.json["id"])
        clock.advance(seconds=1)
    return ids


def _listed(api, path):
    r = api.get(path)
    assert r.status == 200, r
    return [c["id"] for c in r.json]


def test_newest_first_unless_asc(api, world, clock):
    issue = new_issue(api, world)
    ids = _comments(api, issue["id"], 4, clock)
    assert _listed(api, f"/api/issues/{issue['id']}/comments") == ids[::-1]
    assert _listed(api, f"/api/issues/{issue['id']}/comments?order=asc") == ids
    assert _listed(api, f"/api/issues/{issue['id']}/comments?order=desc&limit=2") == ids[:1:-1]


def test_after_anchor_both_directions(api, world, clock):
    issue = new_issue(api, world)
    ids = _comments(api, issue["id"], 5, clock)
    base = f"/api/issues/{issue['id']}/comments"
    assert _listed(api, f"{base}?after={ids[1]}&order=asc") == ids[2:]
    assert _listed(api, f"{base}?afterCommentId={ids[3]}&order=desc") == ids[2::-1]
    assert _listed(api, f"{base}?afterCommentId={ids[1]}&order=asc&limit=2") == ids[2:4]
    assert _listed(api, f"{base}?after={ids[4]}&order=asc") == []
    # an anchor that is not a comment of this issue: [] as upstream
    other = new_issue(api, world)
    foreign = _comments(api, other["id"], 1, clock)[0]
    assert _listed(api, f"{base}?after={foreign}&order=asc") == []


def test_get_one_comment(api, world, clock):
    issue = new_issue(api, world)
    cid = _comments(api, issue["id"], 1, clock)[0]
    r = api.get(f"/api/issues/{issue['id']}/comments/{cid}")
    assert r.status == 200 and (r.json["id"], r.json["body"], r.json["issueId"]) == (cid, "c0", issue["id"]), r
    assert {"updatedAt", "createdByRunId"} <= set(r.json)
    other = new_issue(api, world)
    assert api.get(f"/api/issues/{other['id']}/comments/{cid}").status == 404
    assert api.get(f"/api/issues/{issue['id']}/comments/00000000-0000-4000-8000-000000000000").status == 404


def test_an_agent_comment_records_its_run(api, world):
    issue = new_issue(api, world, status="todo")
    run_id, token = start_run(api, world.alice["id"])
    assert checkout(api, issue["id"], world.alice["id"], token, ["todo"]).status == 200
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "working"}, token=token)
    assert r.status == 201 and r.json["createdByRunId"] == run_id, r


def test_reopen_moves_a_closed_issue_back_to_todo(api, world):
    issue = new_issue(api, world, status="todo")
    assert api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled"}).status == 200
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "again please", "reopen": True})
    assert r.status == 201, r
    assert api.get(f"/api/issues/{issue['id']}").json["status"] == "todo"
    assert api.post(f"/api/issues/{issue['id']}/comments", {"body": "x", "reopen": "yes"}).status == 400


def test_resume_wakes_the_assignee(api, world):
    issue = new_issue(api, world, status="todo", assigneeAgentId=world.alice["id"])
    run_id, token = start_run(api, world.alice["id"])
    assert checkout(api, issue["id"], world.alice["id"], token, ["todo"]).status == 200
    assert api.patch(f"/api/issues/{issue['id']}", {"status": "done"}, token=token).status == 200
    assert api.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "succeeded"}, token=token).status == 200
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "one more thing", "resume": True})
    assert r.status == 201, r
    assert api.get(f"/api/issues/{issue['id']}").json["status"] == "todo"
    reasons = [w.get("reason") for w in queued_wakeups(api, world.alice["id"])]
    assert "issue_reopened_via_comment" in reasons, reasons


def test_attachment_ids_bind_files_to_the_comment(api, world):
    issue = new_issue(api, world)
    body, headers = _multipart()
    up = api.call("POST", f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=body, headers=headers)
    assert up.status == 201, up
    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "see file", "attachmentIds": [up.json["id"]]})
    assert r.status == 201, r
    files = api.get(f"/api/issues/{issue['id']}/attachments").json
    assert [(f["id"], f["issueCommentId"]) for f in files] == [(up.json["id"], r.json["id"])]
    # a file is bound to one comment only
    r2 = api.post(f"/api/issues/{issue['id']}/comments", {"body": "again", "attachmentIds": [up.json["id"]]})
    assert r2.status in (409, 422), r2
    # a file of another issue
    other = new_issue(api, world)
    r3 = api.post(f"/api/issues/{other['id']}/comments", {"body": "x", "attachmentIds": [up.json["id"]]})
    assert r3.status in (404, 422), r3
    assert api.post(f"/api/issues/{issue['id']}/comments", {"body": "x", "attachmentIds": ["nope"]}).status == 400


def test_structured_mentions_wake_the_agent(api, world):
    issue = new_issue(api, world)
    r = api.post(f"/api/issues/{issue['id']}/comments",
                 {"body": f"please look [@Bob Builder](agent://{world.bob['id']})"})
    assert r.status == 201, r
    reasons = [w.get("reason") for w in queued_wakeups(api, world.bob["id"])]
    assert reasons == ["issue_comment_mentioned"], reasons
    assert queued_wakeups(api, world.alice["id"]) == []


def test_pages_stop_before_the_byte_budget(api, world, clock, monkeypatch):
    """Upstream returns every comment; a Lambda response is at most 6 MB, so a page also ends before
    PAGE_BUDGET_BYTES of JSON (4 MB; made small here) and X-Next-Cursor continues."""
    from chalicelib.services.issues import issue_comments

    issue = new_issue(api, world)
    ids = []
    for i in range(5):
        ids.append(api.post(f"/api/issues/{issue['id']}/comments", {"body": f"{i}" * 1000}).json["id"])
        clock.advance(seconds=1)
    monkeypatch.setattr(issue_comments, "PAGE_BUDGET_BYTES", 2500)
    seen, path, pages = [], f"/api/issues/{issue['id']}/comments?order=asc", 0
    while True:
        r = api.get(path)
        assert r.status == 200 and 1 <= len(r.json) <= 2, r
        seen += [c["id"] for c in r.json]
        pages += 1
        cursor = r.headers.get("x-next-cursor")
        if not cursor:
            break
        path = f"/api/issues/{issue['id']}/comments?order=asc&cursor={cursor}"
    assert seen == ids and pages >= 3
