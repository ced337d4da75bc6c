"""The execution issue's status changes through the issues API finish the routine run and free the
live slot in the same transaction (SPEC §5)."""

from tests.e2e.test_routines_crud import make_routine


def _runs(api, rid):
    return {r["id"]: r for r in api.get(f"/api/routines/{rid}/runs").json}


def test_cancel_through_patch_fails_the_run_and_frees_the_slot(api, world):
    rid = make_routine(api, world)["id"]
    first = api.post(f"/api/routines/{rid}/run", {}).json
    r = api.patch(f"/api/issues/{first['linkedIssueId']}", {"status": "cancelled"})
    assert r.status == 200, r
    run = _runs(api, rid)[first["id"]]
    assert run["status"] == "failed" and run["failureReason"] == "Execution issue moved to cancelled"
    assert api.get(f"/api/routines/{rid}").json["activeIssue"] is None
    second = api.post(f"/api/routines/{rid}/run", {}).json
    assert second["status"] == "issue_created" and second["linkedIssueId"] != first["linkedIssueId"]


def test_checkout_then_done_completes_the_run(api, world):
    rid = make_routine(api, world)["id"]
    first = api.post(f"/api/routines/{rid}/run", {}).json
    issue_id = first["linkedIssueId"]
    invoked = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke", token=world.alice_key).json
    token = invoked["token"]
    r = api.post(f"/api/issues/{issue_id}/checkout", {"agentId": world.alice["id"], "expectedStatuses": ["todo"]},
                 token=token)
    assert r.status == 200, r
    assert api.post(f"/api/routines/{rid}/run", {}).json["status"] == "coalesced"  # in_progress is still live
    r = api.patch(f"/api/issues/{issue_id}", {"status": "done"}, token=token)
    assert r.status == 200, r
    run = _runs(api, rid)[first["id"]]
    assert run["status"] == "completed" and run["completedAt"] is not None
    assert api.post(f"/api/routines/{rid}/run", {}).json["status"] == "issue_created"
