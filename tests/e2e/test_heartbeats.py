"""Heartbeat runs: the wakeup queue (one queued run per agent), invoke/start/finish and expiry."""
from chalicelib.services.runtime import heartbeats


def queued(api, agent_id):
    return api.get(f"/api/agents/{agent_id}/heartbeat-runs?status=queued").json


def test_wakeups_join_the_single_queued_run(api, world, clock):
    heartbeats.wake(world.bob["id"], "issue_assigned", clock.now(), issueId="i1")
    heartbeats.wake(world.bob["id"], "issue_commented", clock.now(), issueId="i2", commentId="c1")
    runs = queued(api, world.bob["id"])
    assert len(runs) == 1
    assert (runs[0]["wakeupCount"], len(runs[0]["wakeups"])) == (2, 1)  # list rows embed the first one only
    detail = api.get(f"/api/heartbeat-runs/{runs[0]['id']}").json
    assert detail["wakeups"] == [
        {"reason": "issue_assigned", "at": "2026-03-01T12:00:00.000Z", "source": "assignment",
         "triggerDetail": "system", "issueId": "i1"},
        {"reason": "issue_commented", "at": "2026-03-01T12:00:00.000Z", "source": "automation",
         "triggerDetail": "system", "issueId": "i2", "commentId": "c1"},
    ]
    # upstream's view of the run: why it exists and what it is about come from its first wakeup
    assert (runs[0]["invocationSource"], runs[0]["triggerDetail"]) == ("assignment", "system")
    assert runs[0]["contextSnapshot"] == {"issueId": "i1", "commentId": "c1", "wakeCommentId": "c1",
                                          "wakeReason": "issue_assigned", "wakeSource": "assignment"}


def test_invoke_takes_over_the_queued_run_and_later_wakeups_queue_anew(api, world, clock):
    heartbeats.wake(world.bob["id"], "issue_assigned", clock.now(), issueId="i1")
    queued_id = queued(api, world.bob["id"])[0]["id"]
    r = api.post(f"/api/agents/{world.bob['id']}/heartbeat/invoke")
    assert r.status == 200 and r.json["run"]["id"] == queued_id and r.json["run"]["status"] == "running"
    assert queued(api, world.bob["id"]) == []
    heartbeats.wake(world.bob["id"], "issue_commented", clock.now(), issueId="i1")
    again = queued(api, world.bob["id"])
    assert len(again) == 1 and again[0]["id"] != queued_id


def test_start_finish_and_expiry(api, world, clock):
    heartbeats.wake(world.alice["id"], "issue_assigned", clock.now(), issueId="i1")
    run_id = queued(api, world.alice["id"])[0]["id"]
    started = api.post(f"/api/heartbeat-runs/{run_id}/start").json
    assert started["run"]["status"] == "running" and started["run"]["expiresAt"] == "2026-03-01T13:00:00.000Z"
    assert api.post(f"/api/heartbeat-runs/{run_id}/start").status == 409
    other = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke").json  # several running runs are fine
    clock.advance(hours=2)
    runs = {r["id"]: r["status"] for r in api.get(f"/api/agents/{world.alice['id']}/heartbeat-runs").json}
    assert runs == {run_id: "timed_out", other["run"]["id"]: "timed_out"}
    assert api.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "succeeded"}).status == 409


def test_finish_rules(api, world, clock):
    run = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke").json
    other = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke").json
    # A run token may finish only its own run.
    assert api.post(f"/api/heartbeat-runs/{run['run']['id']}/finish", {"status": "failed"}, token=other["token"]).status == 403
    assert api.post(f"/api/heartbeat-runs/{run['run']['id']}/finish", {"status": "weird"}, token=run["token"]).status == 400
    r = api.post(f"/api/heartbeat-runs/{run['run']['id']}/finish", {"status": "failed", "error": "boom"}, token=run["token"])
    assert r.status == 200 and (r.json["status"], r.json["error"]) == ("failed", "boom")
    assert r.json["finishedAt"] == "2026-03-01T12:00:00.000Z"
    assert api.post(f"/api/heartbeat-runs/{run['run']['id']}/finish", {"status": "succeeded"}).status == 409


def test_cancelling_the_queued_run_frees_the_slot(api, world, clock):
    heartbeats.wake(world.alice["id"], "issue_assigned", clock.now(), issueId="i1")
    run_id = queued(api, world.alice["id"])[0]["id"]
    assert api.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "cancelled"}).status == 200
    heartbeats.wake(world.alice["id"], "issue_assigned", clock.now(), issueId="i2")
    fresh = queued(api, world.alice["id"])
    assert len(fresh) == 1 and fresh[0]["id"] != run_id


def test_invalid_status_filter_is_400(api, world):
    assert api.get(f"/api/agents/{world.alice['id']}/heartbeat-runs?status=sleeping").status == 400
