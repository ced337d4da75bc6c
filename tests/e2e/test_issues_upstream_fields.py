"""Upstream's issue fields on create, PATCH and child create (issue #14; validators.md §5.1, §5.2, §5.9;
the CLI's captured bodies: cli.md §7.2, §7.3, §7.8; paperclip-mcp's `parentIssueId`: mcp.md)."""
from tests.issue_helpers import new_issue


def test_the_cli_create_body_is_accepted(api, world):
    body = {"title": "Hello world", "status": "backlog", "workMode": "standard", "priority": "medium",
            "requestDepth": 0, "allowDuplicate": False}
    r = api.post(f"/api/companies/{world.cid}/issues", body)
    assert r.status == 201, r
    assert (r.json["workMode"], r.json["requestDepth"], r.json["status"]) == ("standard", 0, "backlog")
    assert "allowDuplicate" not in r.json  # a directive, not stored
    assert r.json["issueNumber"] == int(r.json["identifier"].split("-")[1])


def test_unknown_fields_are_still_400_by_name(api, world):
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "T", "workmode": "standard"})
    assert r.status == 400 and r.json["details"] == {"workmode": "unknown field"}, r
    issue = new_issue(api, world)
    r = api.patch(f"/api/issues/{issue['id']}", {"hiddenat": None})
    assert r.status == 400 and "hiddenat" in r.json["details"], r


def test_upstream_enums_and_bounds_are_validated(api, world):
    for body, field in [({"title": "T", "workMode": "lazy"}, "workMode"),
                        ({"title": "T", "requestDepth": -1}, "requestDepth"),
                        ({"title": "T", "requestDepth": "3"}, "requestDepth"),
                        ({"title": "T", "allowDuplicate": "no"}, "allowDuplicate")]:
        r = api.post(f"/api/companies/{world.cid}/issues", body)
        assert r.status == 400 and field in r.json["details"], (body, r)


def test_parent_issue_id_is_an_alias_of_parent_id(api, world):
    parent = new_issue(api, world)
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "Child", "parentIssueId": parent["id"], "priority": "medium"})
    assert r.status == 201, r
    assert r.json["parentId"] == parent["id"]
    listed = api.get(f"/api/companies/{world.cid}/issues?parentIssueId={parent['id']}").json
    assert [i["id"] for i in listed] == [r.json["id"]]


def test_stored_as_given_fields_round_trip(api, world):
    policy = {"stages": [{"type": "review", "participants": [{"type": "agent", "agentId": world.bob["id"]}]}]}
    issue = new_issue(api, world, executionPolicy=policy, harnessKind="skill_test")
    assert (issue["executionPolicy"], issue["harnessKind"]) == (policy, "skill_test")
    assert api.get(f"/api/issues/{issue['id']}").json["executionPolicy"] == policy
    r = api.patch(f"/api/issues/{issue['id']}", {"executionPolicy": None, "requestDepth": 2, "workMode": "planning"})
    assert r.status == 200, r
    got = api.get(f"/api/issues/{issue['id']}").json
    assert (got["executionPolicy"], got["harnessKind"], got["requestDepth"], got["workMode"]) == (None, "skill_test", 2, "planning")


def test_free_form_json_is_bounded(api, world):
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "T", "assigneeAdapterOverrides": {"adapterConfig": {"blob": "x" * 20_000}}})
    assert r.status == 413, r
    assert api.get(f"/api/companies/{world.cid}/issues").json == []
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "T", "assigneeAdapterOverrides": {"adapterConfig": {"blob": "x" * 1000}}})
    assert r.status == 201 and r.json["assigneeAdapterOverrides"] == {"adapterConfig": {"blob": "x" * 1000}}, r


def test_hidden_issues_leave_the_list_and_come_back(api, world):
    issue = new_issue(api, world)
    r = api.patch(f"/api/issues/{issue['id']}", {"hiddenAt": "2026-03-01T12:00:00.000Z"})
    assert r.status == 200 and r.json["hiddenAt"] is not None, r
    assert api.get(f"/api/companies/{world.cid}/issues").json == []
    assert api.get(f"/api/issues/{issue['id']}").status == 200  # still readable by id
    # the CLI's `--hidden-at null`
    assert api.patch(f"/api/issues/{issue['id']}", {"hiddenAt": None}).status == 200
    assert [i["id"] for i in api.get(f"/api/companies/{world.cid}/issues").json] == [issue["id"]]


def test_patch_answers_changes_and_the_comment(api, world):
    issue = new_issue(api, world, status="todo")
    r = api.patch(f"/api/issues/{issue['id']}", {"priority": "high", "comment": "bumped"})
    assert r.status == 200, r
    assert r.json["changes"]["priority"] == {"from": "medium", "to": "high"}
    assert r.json["comment"]["body"] == "bumped"
    r = api.patch(f"/api/issues/{issue['id']}", {"priority": "low"}, headers={"Prefer": "return=minimal"})
    assert r.status == 200 and set(r.json) == {"id", "identifier", "updatedAt", "changes", "comment"}, r


def test_allow_duplicate_false_returns_the_recent_open_issue(api, world, clock):
    body = {"title": "Fix  the Build", "allowDuplicate": False}
    first = api.post(f"/api/companies/{world.cid}/issues", body)
    assert first.status == 201, first
    again = api.post(f"/api/companies/{world.cid}/issues", {"title": "fix the build", "allowDuplicate": False})
    assert again.status == 200, again
    assert (again.json["id"], again.json["deduplicated"], again.json["deduplicationReason"]) == (
        first.json["id"], True, "recent_open_title")
    # without the flag (or with true) a create always creates
    assert api.post(f"/api/companies/{world.cid}/issues", {"title": "fix the build"}).status == 201
    assert api.post(f"/api/companies/{world.cid}/issues", {"title": "fix the build", "allowDuplicate": True}).status == 201
    # a closed one is not returned
    assert api.patch(f"/api/issues/{first.json['id']}", {"status": "cancelled"}).status == 200
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "Fix the build", "allowDuplicate": False})
    assert r.status in (200, 201), r
    assert r.json["id"] != first.json["id"]


def test_idempotency_key_returns_the_first_issue(api, world):
    first = api.post(f"/api/companies/{world.cid}/issues", {"title": "A", "idempotencyKey": "k-1"})
    assert first.status == 201, first
    again = api.post(f"/api/companies/{world.cid}/issues", {"title": "B", "idempotencyKey": "k-1"})
    assert again.status == 200 and again.json["id"] == first.json["id"], again
    assert again.json["deduplicationReason"] == "idempotency_key"
    assert len(api.get(f"/api/companies/{world.cid}/issues").json) == 1


def test_children_inherit_project_and_goal_and_may_block_the_parent(api, world):
    parent = new_issue(api, world, projectId=world.project["id"], goalId=world.goal["id"], requestDepth=2)
    r = api.post(f"/api/issues/{parent['id']}/children", {"title": "Child", "blockParentUntilDone": True})
    assert r.status == 201, r
    child = r.json
    assert (child["parentId"], child["projectId"], child["goalId"]) == (parent["id"], world.project["id"], world.goal["id"])
    assert child["requestDepth"] >= 3
    got = api.get(f"/api/issues/{parent['id']}").json
    assert [b["id"] for b in got["blockedBy"]] == [child["id"]]
    assert api.post(f"/api/issues/{parent['id']}/children", {"title": "C", "bogus": 1}).status == 400
