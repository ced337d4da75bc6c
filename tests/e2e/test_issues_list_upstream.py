"""The issue list with upstream's query parameters (issue #14; validators.md §8, §9.7)."""
import uuid

from tests.issue_helpers import new_issue


def _ids(api, path):
    r = api.get(path)
    assert r.status == 200, r
    return [i["id"] for i in r.json]


def test_q_searches_title_identifier_and_description(api, world):
    a = new_issue(api, world, title="Fix the login button")
    b = new_issue(api, world, title="Other", description="The LOGIN page is slow")
    new_issue(api, world, title="Unrelated")
    base = f"/api/companies/{world.cid}/issues"
    assert sorted(_ids(api, f"{base}?q=login")) == sorted([a["id"], b["id"]])
    assert _ids(api, f"{base}?q=login")[0] == a["id"]  # a title match ranks first
    assert _ids(api, f"{base}?q={b['identifier'].lower()}") == [b["id"]]
    assert _ids(api, f"{base}?q=nothing-like-this") == []


def test_label_origin_and_updated_since_filters(api, world, clock):
    label = str(uuid.uuid4())
    tagged = new_issue(api, world, labelIds=[label])
    assert tagged["labelIds"] == [label]
    clock.advance(minutes=5)
    later = new_issue(api, world)
    base = f"/api/companies/{world.cid}/issues"
    assert _ids(api, f"{base}?labelId={label}") == [tagged["id"]]
    assert _ids(api, f"{base}?label={label}") == [tagged["id"]]  # paperclip-mcp's list_issues sends `label`
    assert _ids(api, f"{base}?updatedSince=2026-03-01T12:01:00Z") == [later["id"]]
    assert sorted(_ids(api, f"{base}?originKind=manual")) == sorted([tagged["id"], later["id"]])
    assert api.get(f"{base}?updatedSince=yesterday").status == 400


def test_assignee_null_means_unassigned(api, world):
    mine = new_issue(api, world, assigneeAgentId=world.alice["id"])
    free = new_issue(api, world)
    base = f"/api/companies/{world.cid}/issues"
    assert _ids(api, f"{base}?assigneeAgentId=null") == [free["id"]]
    assert _ids(api, f"{base}?assigneeAgentId={world.alice['id']}") == [mine["id"]]
    assert api.get(f"{base}?assigneeAgentId=alice").status == 422


def test_an_unknown_company_is_404(api, world):
    r = api.get(f"/api/companies/{uuid.uuid4()}/issues")
    assert r.status == 404 and r.json["error"] == "Company not found", r
    assert api.get(f"/api/companies/{world.cid}/issues").json == []


def test_parent_filter_never_lists_another_company_s_issues(api, world):
    from tests.helpers import make_world

    other = make_world(api, "Other Co")
    foreign_parent = new_issue(api, other)
    new_issue(api, other, parentId=foreign_parent["id"])
    base = f"/api/companies/{world.cid}/issues"
    assert _ids(api, f"{base}?parentId={foreign_parent['id']}") == []
    assert _ids(api, f"{base}?parentIssueId={foreign_parent['id']}") == []
    mine = new_issue(api, world)
    child = new_issue(api, world, parentId=mine["id"])
    assert _ids(api, f"{base}?parentId={mine['identifier']}") == [child["id"]]
