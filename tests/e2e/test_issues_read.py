"""GET /api/issues/{issueId}: lookups and the detail view (SPEC §4)."""
import uuid

from tests.helpers import create, make_world
from tests.issue_helpers import new_issue


def test_lookup_by_id_or_identifier_case_insensitive(api, world):
    issue = new_issue(api, world)
    for ref in (issue["id"], "ACM-1", "acm-1", "Acm-1"):
        r = api.get(f"/api/issues/{ref}")
        assert r.status == 200, (ref, r)
        assert r.json["id"] == issue["id"]
    for ref in ("ACM-2", "XYZ-1", str(uuid.uuid4()), "nonsense", "ACM-", "-1", "ACM-1-1"):
        r = api.get(f"/api/issues/{ref}")
        assert r.status == 404, (ref, r)
        assert r.json == {"error": "Issue not found"}
    # identifiers work on every {issueId} path
    assert api.patch("/api/issues/acm-1", {"title": "renamed"}).json["title"] == "renamed"
    assert api.post("/api/issues/acm-1/comments", {"body": "hi"}).status == 201
    assert len(api.get("/api/issues/aCm-1/comments").json) == 1


def test_other_companies_issues_are_404(api, world):
    other = make_world(api, "Globex")
    theirs = create(api, f"/api/companies/{other.cid}/issues", {"title": "theirs"})
    for ref in (theirs["id"], theirs["identifier"]):
        assert api.get(f"/api/issues/{ref}", token=world.alice_key).status == 404
        assert api.patch(f"/api/issues/{ref}", {"title": "x"}, token=world.alice_key).status == 404
        assert api.post(f"/api/issues/{ref}/comments", {"body": "x"}, token=world.alice_key).status == 404
        assert api.get(f"/api/issues/{ref}/comments", token=world.alice_key).status == 404
        assert api.post(f"/api/issues/{ref}/release", token=world.alice_key).status == 404


def test_detail_with_project_goal_and_ancestors(api, world):
    cid = world.cid
    project2 = create(api, f"/api/companies/{cid}/projects", {"name": "Second"})
    root = new_issue(api, world, title="root", goalId=world.goal["id"])
    mid = new_issue(api, world, title="mid", parentId=root["id"], projectId=project2["id"])
    leaf = new_issue(api, world, title="leaf", parentId=mid["id"], projectId=world.project["id"],
                     goalId=world.goal["id"], description="Intro\n<plan>\nStep 1\nStep 2\n</plan>")
    r = api.get(f"/api/issues/{leaf['identifier']}")
    assert r.status == 200, r
    body = r.json
    assert {k: body[k] for k in leaf} == leaf
    assert body["project"]["id"] == world.project["id"] and body["project"]["name"] == "Launch"
    assert body["goal"]["id"] == world.goal["id"] and body["goal"]["title"] == "Grow"
    assert [(a["id"], a["title"]) for a in body["ancestors"]] == [(mid["id"], "mid"), (root["id"], "root")]
    assert body["ancestors"][0]["project"]["id"] == project2["id"]
    assert body["ancestors"][0]["goal"] is None
    assert body["ancestors"][1]["project"] is None
    assert body["ancestors"][1]["goal"]["id"] == world.goal["id"]
    assert body["ancestors"][1]["identifier"] == root["identifier"]
    assert body["planDocument"] is None
    assert body["documentSummaries"] == []
    assert body["legacyPlanDocument"] == {"key": "plan", "body": "Step 1\nStep 2", "source": "issue_description"}

    plain = api.get(f"/api/issues/{root['id']}").json
    assert plain["ancestors"] == [] and plain["project"] is None and plain["legacyPlanDocument"] is None


def test_responses_match_the_documented_schemas(api, world):
    from chalicelib.http.schemas.issues import CommentOut, IssueDetailOut, IssueOut

    parent = new_issue(api, world, projectId=world.project["id"], goalId=world.goal["id"])
    issue = new_issue(api, world, parentId=parent["id"], assigneeAgentId=world.alice["id"], description="<plan>p</plan>")
    IssueOut.model_validate(issue)
    IssueDetailOut.model_validate(api.get(f"/api/issues/{issue['id']}").json)
    for item in api.get(f"/api/companies/{world.cid}/issues").json:
        IssueOut.model_validate(item)
    CommentOut.model_validate(api.post(f"/api/issues/{issue['id']}/comments", {"body": "x"}).json)
