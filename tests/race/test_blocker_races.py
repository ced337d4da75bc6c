"""Blockers under concurrency (issue #14; services/issues/issue_blockers.py): two PATCHes that each add an
edge harmless alone can never close a cycle together, and concurrent duplicate-guarded creates make one
issue. Against the threaded live server."""
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.issue_helpers import new_issue

ROUNDS = 6


def _patch(live_server, issue_id, body):
    r = requests.patch(f"{live_server}/api/issues/{issue_id}", json=body, timeout=120)
    return r.status_code


def test_concurrent_opposite_edges_never_make_a_cycle(live_server, api, world):
    for _ in range(ROUNDS):
        a, b = new_issue(api, world, title="A"), new_issue(api, world, title="B")
        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(lambda pair: _patch(live_server, *pair), [
                (a["id"], {"blockedByIssueIds": [b["id"]]}), (b["id"], {"blockedByIssueIds": [a["id"]]})]))
        assert sorted(statuses) in ([200, 409], [200, 422]), statuses
        a_blockers = [x["id"] for x in api.get(f"/api/issues/{a['id']}").json["blockedBy"]]
        b_blockers = [x["id"] for x in api.get(f"/api/issues/{b['id']}").json["blockedBy"]]
        assert (a_blockers, b_blockers) in (([b["id"]], []), ([], [a["id"]])), (a_blockers, b_blockers)


def test_concurrent_guarded_creates_of_one_title_make_one_issue(live_server, api, world):
    def create(_):
        r = requests.post(f"{live_server}/api/companies/{world.cid}/issues",
                          json={"title": "Same title", "allowDuplicate": False}, timeout=120)
        return r.status_code, r.json().get("id")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(create, range(8)))
    created = [i for s, i in results if s == 201]
    assert len(created) == 1, results
    assert all(s in (200, 201, 409) for s, _ in results), results
    assert {i for s, i in results if s == 200} <= set(created)
    listed = api.get(f"/api/companies/{world.cid}/issues").json
    assert [i["id"] for i in listed] == created
