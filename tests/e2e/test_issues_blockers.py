"""Blockers (issue #14; upstream: validators.md §9.12): `blockedByIssueIds` replaces the set; GET issue
returns `blockedBy` and `blocks`; unresolved blockers refuse checkout."""
from tests.helpers import make_world
from tests.issue_helpers import checkout, new_issue, start_run


def _ids(items):
    return sorted(i["id"] for i in items)


def test_set_replace_and_clear(api, world):
    a, b, c = (new_issue(api, world, title=t) for t in ("A", "B", "C"))
    r = api.patch(f"/api/issues/{c['id']}", {"blockedByIssueIds": [a["id"], b["id"], a["id"]]})
    assert r.status == 200, r
    assert _ids(r.json["blockedBy"]) == _ids([a, b])
    got = api.get(f"/api/issues/{c['id']}").json
    assert _ids(got["blockedBy"]) == _ids([a, b]) and got["blocks"] == []
    summary = next(x for x in got["blockedBy"] if x["id"] == a["id"])
    assert {k: summary[k] for k in ("identifier", "title", "status")} == {
        "identifier": a["identifier"], "title": "A", "status": a["status"]}
    assert [x["id"] for x in api.get(f"/api/issues/{a['id']}").json["blocks"]] == [c["id"]]
    # replace
    assert api.patch(f"/api/issues/{c['id']}", {"blockedByIssueIds": [b["id"]]}).status == 200
    assert _ids(api.get(f"/api/issues/{c['id']}").json["blockedBy"]) == [b["id"]]
    assert api.get(f"/api/issues/{a['id']}").json["blocks"] == []
    # clear
    assert api.patch(f"/api/issues/{c['id']}", {"blockedByIssueIds": []}).status == 200
    assert api.get(f"/api/issues/{c['id']}").json["blockedBy"] == []
    assert api.get(f"/api/issues/{b['id']}").json["blocks"] == []


def test_self_cycles_and_other_companies_are_refused(api, world):
    a, b = new_issue(api, world, title="A"), new_issue(api, world, title="B")
    r = api.patch(f"/api/issues/{a['id']}", {"blockedByIssueIds": [a["id"]]})
    assert r.status == 422, r
    assert api.patch(f"/api/issues/{a['id']}", {"blockedByIssueIds": [b["id"]]}).status == 200
    r = api.patch(f"/api/issues/{b['id']}", {"blockedByIssueIds": [a["id"]]})
    assert r.status == 422, r
    assert api.get(f"/api/issues/{b['id']}").json["blockedBy"] == []
    other = make_world(api, "Other Co")
    foreign = new_issue(api, other)
    r = api.patch(f"/api/issues/{a['id']}", {"blockedByIssueIds": [foreign["id"]]})
    assert r.status in (404, 422), r
    assert _ids(api.get(f"/api/issues/{a['id']}").json["blockedBy"]) == [b["id"]]
    r = api.patch(f"/api/issues/{a['id']}", {"blockedByIssueIds": ["ACM-999"]})
    assert r.status == 404, r


def test_unresolved_blockers_refuse_checkout_until_done(api, world):
    blocker = new_issue(api, world, title="Blocker", status="todo")
    issue = new_issue(api, world, status="todo", blockedByIssueIds=[blocker["id"]])
    _, token = start_run(api, world.alice["id"])
    r = checkout(api, issue["id"], world.alice["id"], token, ["todo"])
    assert r.status == 422 and r.json["error"] == "Issue is blocked by unresolved blockers", r
    assert api.get(f"/api/issues/{issue['id']}").json["status"] == "todo"
    # a cancelled blocker still blocks (upstream: only done resolves)
    cancelled = new_issue(api, world, title="Cancelled", status="todo")
    assert api.patch(f"/api/issues/{cancelled['id']}", {"status": "cancelled"}).status == 200
    other = new_issue(api, world, status="todo", blockedByIssueIds=[cancelled["id"]])
    assert checkout(api, other["id"], world.alice["id"], token, ["todo"]).status == 422
    _, bob_token = start_run(api, world.bob["id"])
    assert checkout(api, blocker["id"], world.bob["id"], bob_token, ["todo"]).status == 200
    assert api.patch(f"/api/issues/{blocker['id']}", {"status": "done"}, token=bob_token).status == 200
    r = checkout(api, issue["id"], world.alice["id"], token, ["todo"])
    assert r.status == 200 and r.json["status"] == "in_progress", r


def test_blocks_lists_the_first_dependents_and_they_keep_their_blockers(api, world, monkeypatch):
    from chalicelib.services.issues import issue_blockers

    blocker = new_issue(api, world, title="Blocker")
    dependents = [new_issue(api, world, title=f"Dependent {n}", blockedByIssueIds=[blocker["id"]]) for n in range(3)]
    monkeypatch.setattr(issue_blockers, "BLOCKS_SHOWN", 2)
    shown = api.get(f"/api/issues/{blocker['id']}").json["blocks"]
    assert sorted(x["id"] for x in shown) == sorted(d["id"] for d in dependents)[:2]  # the first two by id
    assert [x["title"] for x in shown] == sorted(x["title"] for x in shown)
    patched = api.patch(f"/api/issues/{blocker['id']}", {"blockedByIssueIds": []}).json  # relations in the reply
    assert len(patched["blocks"]) == 2
    for d in dependents:
        assert _ids(api.get(f"/api/issues/{d['id']}").json["blockedBy"]) == [blocker["id"]]
