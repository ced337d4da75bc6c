"""DynamoDB requests per routine call stay within SPEC §8's targets and do not grow with list size."""
import json

from chalicelib.store.request_count import counting
from tests.e2e.test_routines_crud import make_routine


def counted(fn):
    with counting() as counter:
        response = fn()
    return response, sum(counter.values())


def test_run_and_fire_budgets(api, world):
    rid = make_routine(api, world)["id"]
    created, n_create = counted(lambda: api.post(f"/api/routines/{rid}/run", {}))
    assert created.status == 202 and created.json["status"] == "issue_created"
    assert n_create <= 10, n_create
    coalesced, n_coalesce = counted(lambda: api.post(f"/api/routines/{rid}/run", {}))
    assert coalesced.json["status"] == "coalesced" and n_coalesce <= 6, n_coalesce

    other = make_routine(api, world)["id"]
    trigger = api.post(f"/api/routines/{other}/triggers", {"kind": "webhook"}).json
    secret, public_id = trigger["secretMaterial"]["webhookSecret"], trigger["trigger"]["publicId"]
    fired, n_fire = counted(lambda: api.post(f"/api/routine-triggers/public/{public_id}/fire", raw=json.dumps({}),
                                             headers={"Authorization": f"Bearer {secret}"}))
    assert fired.status == 202 and n_fire <= 10, n_fire


def test_list_requests_do_not_grow_with_page_size(api, world):
    def list_cost():
        response, n = counted(lambda: api.get(f"/api/companies/{world.cid}/routines"))
        assert response.status == 200
        return len(response.json), n

    for _ in range(2):
        rid = make_routine(api, world)["id"]
        api.post(f"/api/routines/{rid}/triggers", {"kind": "api"})
        api.post(f"/api/routines/{rid}/run", {})
    small = list_cost()
    for _ in range(6):
        rid = make_routine(api, world)["id"]
        api.post(f"/api/routines/{rid}/triggers", {"kind": "api"})
        api.post(f"/api/routines/{rid}/run", {})
    large = list_cost()
    assert (small[0], large[0]) == (2, 8)
    assert large[1] == small[1]



def test_list_cost_does_not_grow_with_the_company(api, world, clock):
    """Issue 11: a page of routines costs the same whatever the company's other routines and triggers
    (the list used to Query every trigger of the company: one request per MB of them)."""
    first = make_routine(api, world)["id"]
    api.post(f"/api/routines/{first}/triggers", {"kind": "api"})
    api.post(f"/api/routines/{first}/run", {})

    def page_of_one():
        with counting() as counter:
            response = api.get(f"/api/companies/{world.cid}/routines?limit=1")
        assert response.status == 200 and [r["id"] for r in response.json] == [first]
        assert len(response.json[0]["triggers"]) == 1
        return dict(counter)

    before = page_of_one()
    # the routines page is the only Query; runs, live issues and triggers are BatchGetItems of the page's ids
    assert before == {"Query": 1, "BatchGetItem": 3}, before
    for _ in range(5):  # other routines with triggers of their own
        rid = make_routine(api, world)["id"]
        for _ in range(3):
            api.post(f"/api/routines/{rid}/triggers", {"kind": "api"})
        clock.advance(seconds=1)
        api.patch(f"/api/routines/{first}", {"description": "newest again"})  # keep `first` on page one
    assert page_of_one() == before


def test_create_and_detail_read_references_in_one_request(api, world):
    """Issue 11: create and detail read their references (company, project, goal, parent, assignee; the
    live issue and triggers) together instead of one GetItem each."""
    parent = api.post(f"/api/companies/{world.cid}/issues", {"title": "parent"}).json
    body = {"title": "r", "projectId": world.project["id"], "goalId": world.goal["id"],
            "parentIssueId": parent["id"], "assigneeAgentId": world.alice["id"]}
    created, n_create = counted(lambda: api.post(f"/api/companies/{world.cid}/routines", body))
    assert created.status == 201, created.json
    assert created.json["parentIssueId"] == parent["id"] and created.json["goalId"] == world.goal["id"]
    rid = created.json["id"]
    for kind in ("api", "api", "webhook"):
        api.post(f"/api/routines/{rid}/triggers", {"kind": kind})
    api.post(f"/api/routines/{rid}/run", {})
    detail, n_detail = counted(lambda: api.get(f"/api/routines/{rid}"))
    assert detail.status == 200
    assert sorted(t["kind"] for t in detail.json["triggers"]) == ["api", "api", "webhook"]
    assert detail.json["activeIssue"] and detail.json["parentIssue"]["id"] == parent["id"]
    assert detail.json["project"]["id"] == world.project["id"] and detail.json["assignee"]["id"] == world.alice["id"]
    # the local board (no token to read): create = the references in one TransactGetItems + the
    # transaction (was 5); detail = the routine + references and triggers together + the runs Query (was 6)
    assert (n_create, n_detail) == (2, 3), (n_create, n_detail)


def test_deleted_trigger_leaves_list_and_detail(api, world):
    rid = make_routine(api, world)["id"]
    keep = api.post(f"/api/routines/{rid}/triggers", {"kind": "api"}).json["trigger"]["id"]
    gone = api.post(f"/api/routines/{rid}/triggers", {"kind": "api"}).json["trigger"]["id"]
    assert api.delete(f"/api/routine-triggers/{gone}").status in (200, 204)
    assert [t["id"] for t in api.get(f"/api/routines/{rid}").json["triggers"]] == [keep]
    listed = next(r for r in api.get(f"/api/companies/{world.cid}/routines").json if r["id"] == rid)
    assert [t["id"] for t in listed["triggers"]] == [keep]
