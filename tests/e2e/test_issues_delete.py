"""DELETE /api/issues/{id} (issue #14; validators.md §9.1; cli.md `issue delete`; mcp.md `delete_issue`)."""
from tests.e2e.authz.cases import _multipart
from tests.issue_helpers import activity_actions, checkout, new_issue, start_run


def test_delete_cascades_and_answers_the_issue(api, world):
    blocker = new_issue(api, world, title="Blocker")
    issue = new_issue(api, world, title="Doomed", blockedByIssueIds=[blocker["id"]])
    dependent = new_issue(api, world, title="Dependent", blockedByIssueIds=[issue["id"]])
    comment = api.post(f"/api/issues/{issue['id']}/comments", {"body": "bye"}).json
    assert api.put(f"/api/issues/{issue['id']}/documents/plan", {"format": "markdown", "body": "# P"}).status == 201
    body, headers = _multipart()
    up = api.call("POST", f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=body, headers=headers).json
    product = api.post(f"/api/issues/{issue['id']}/work-products",
                       {"type": "branch", "provider": "git", "title": "feature"}).json

    r = api.delete(f"/api/issues/{issue['identifier']}")
    assert r.status == 200 and (r.json["id"], r.json["title"]) == (issue["id"], "Doomed"), r
    assert api.get(f"/api/issues/{issue['id']}").status == 404
    assert api.get(f"/api/issues/{issue['identifier']}").status == 404
    assert api.get(f"/api/issues/{issue['id']}/comments/{comment['id']}").status == 404
    assert api.get(f"/api/attachments/{up['id']}/content", headers={"Accept": "*/*"}).status == 404
    assert api.delete(f"/api/work-products/{product['id']}").status == 404
    assert sorted(i["id"] for i in api.get(f"/api/companies/{world.cid}/issues").json) == sorted(
        [blocker["id"], dependent["id"]])
    assert issue["id"] not in [i["id"] for i in api.get(f"/api/companies/{world.cid}/issues").json]
    assert api.get(f"/api/issues/{blocker['id']}").json["blocks"] == []
    assert api.get(f"/api/issues/{dependent['id']}").json["blockedBy"] == []
    assert "issue.deleted" in activity_actions(api, world, issue["id"])
    assert api.delete(f"/api/issues/{issue['id']}").status == 404


def test_refused_while_children_reference_it(api, world):
    parent = new_issue(api, world)
    child = new_issue(api, world, parentId=parent["id"])
    r = api.delete(f"/api/issues/{parent['id']}")
    assert r.status == 409, r
    assert api.get(f"/api/issues/{parent['id']}").status == 200
    assert api.delete(f"/api/issues/{child['id']}").status == 200
    assert api.delete(f"/api/issues/{parent['id']}").status == 200


def test_agents_delete_only_their_own_or_unassigned_issues(api, world):
    bobs = new_issue(api, world, assigneeAgentId=world.bob["id"])
    assert api.delete(f"/api/issues/{bobs['id']}", token=world.alice_key).status == 403
    assert api.get(f"/api/issues/{bobs['id']}").status == 200
    unassigned = new_issue(api, world)
    assert api.delete(f"/api/issues/{unassigned['id']}", token=world.alice_key).status == 200
    # an in_progress issue needs the agent's run
    mine = new_issue(api, world, status="todo")
    run_id, token = start_run(api, world.alice["id"])
    assert checkout(api, mine["id"], world.alice["id"], token, ["todo"]).status == 200
    # with its key alone (no run) it cannot touch the issue its active run holds
    assert api.delete(f"/api/issues/{mine['id']}", token=world.alice_key).status == 409
    assert api.delete(f"/api/issues/{mine['id']}", token=token).status == 200


def test_a_delete_that_fails_part_way_is_finished_by_a_retry(api, world, monkeypatch):
    from chalicelib.services.issues import issue_delete

    issue = new_issue(api, world)
    comment = api.post(f"/api/issues/{issue['id']}/comments", {"body": "bye"}).json
    body, headers = _multipart()
    up = api.call("POST", f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=body, headers=headers).json

    def crash(_issue):
        raise RuntimeError("the Lambda died here")

    monkeypatch.setattr(issue_delete, "_delete_attachments", crash)
    r = api.delete(f"/api/issues/{issue['id']}")
    assert r.status == 500, r
    # marked: it reads as missing and nothing new may hang off it
    assert api.get(f"/api/issues/{issue['id']}").status == 404
    assert issue["id"] not in [i["id"] for i in api.get(f"/api/companies/{world.cid}/issues").json]
    assert api.post(f"/api/issues/{issue['id']}/comments", {"body": "late"}).status == 404
    monkeypatch.undo()
    r = api.delete(f"/api/issues/{issue['id']}")
    assert r.status == 200 and r.json["id"] == issue["id"], r
    assert api.get(f"/api/attachments/{up['id']}/content", headers={"Accept": "*/*"}).status == 404
    assert api.get(f"/api/issues/{issue['id']}/comments/{comment['id']}").status == 404
    assert activity_actions(api, world, issue["id"]).count("issue.deleted") == 1
    assert api.delete(f"/api/issues/{issue['id']}").status == 404
