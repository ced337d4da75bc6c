"""At most one live execution issue and exactly-once idempotency, under 50 concurrent runs (SPEC §5)."""
from concurrent.futures import ThreadPoolExecutor

import requests

from chalicelib.store.issues import Issue
from tests.e2e.test_routines_runs import finish_issue

N = 50


def _routine(live_server, world, **over):
    body = {"title": "Nightly sweep", "assigneeAgentId": world.alice["id"], "projectId": world.project["id"], **over}
    r = requests.post(f"{live_server}/api/companies/{world.cid}/routines", json=body, timeout=60)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _fire_many(live_server, rid, body_for):
    def one(i):
        r = requests.post(f"{live_server}/api/routines/{rid}/run", json=body_for(i), timeout=120)
        assert r.status_code == 202, r.text
        return r.json(), r.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(N) as pool:
        return list(pool.map(one, range(N)))


def _runs(live_server, rid):
    return requests.get(f"{live_server}/api/routines/{rid}/runs?limit=200", timeout=60).json()


def test_concurrent_runs_coalesce_into_one_issue(live_server, world):
    rid = _routine(live_server, world)
    results = _fire_many(live_server, rid, lambda i: {"payload": {"n": i}})
    statuses = sorted(run["status"] for run, _ in results)
    assert statuses == ["coalesced"] * (N - 1) + ["issue_created"]
    creator = next(run for run, _ in results if run["status"] == "issue_created")
    issues = [i for i in Issue.by_company.query(world.cid) if i.origin_id == rid]
    assert [i.id for i in issues] == [creator["linkedIssueId"]]
    for run, _ in results:
        assert run["linkedIssueId"] == creator["linkedIssueId"]
        if run["status"] == "coalesced":
            assert run["coalescedIntoRunId"] == creator["id"]
    assert len(_runs(live_server, rid)) == N

    # once the issue is done, the next run creates a new one
    finish_issue(creator["linkedIssueId"], "done")
    r = requests.post(f"{live_server}/api/routines/{rid}/run", json={}, timeout=60).json()
    assert r["status"] == "issue_created" and r["linkedIssueId"] != creator["linkedIssueId"]


def test_concurrent_repeats_of_one_idempotency_key_make_one_run(live_server, world):
    rid = _routine(live_server, world)
    results = _fire_many(live_server, rid, lambda i: {"payload": {"same": True}, "idempotencyKey": "nightly-1"})
    assert len({run["id"] for run, _ in results}) == 1
    assert sum(1 for _, replayed in results if replayed == "true") == N - 1
    assert len(_runs(live_server, rid)) == 1
    assert len([i for i in Issue.by_company.query(world.cid) if i.origin_id == rid]) == 1


def test_seed_python_webhook_example(live_server, world):
    rid = _routine(live_server, world)
    created = requests.post(f"{live_server}/api/routines/{rid}/triggers", timeout=60, json={
        "kind": "webhook", "label": "Webhook intake", "enabled": True, "signingMode": "bearer"}).json()
    webhook_secret = created["secretMaterial"]["webhookSecret"]
    public_id = created["trigger"]["publicId"]
    response = requests.post(
        f"{live_server}/api/routine-triggers/public/{public_id}/fire",
        headers={"Authorization": f"Bearer {webhook_secret}", "Content-Type": "application/json"},
        json={"payload": {"source": "stripe", "event": "invoice.paid"}},
        timeout=60,
    )
    run = response.json()
    assert response.status_code == 202 and run["triggerPayload"] == {"source": "stripe", "event": "invoice.paid"}
