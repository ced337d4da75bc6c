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

