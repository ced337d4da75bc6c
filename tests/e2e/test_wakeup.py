"""POST /api/agents/{agentId}/wakeup (validators.md §2.4; the CLI's `agent wake`, `heartbeat run`, prompts)."""
import pytest

from chalicelib.services.runtime import wakeups


def wake(api, agent_id, body=None, **kw):
    return api.post(f"/api/agents/{agent_id}/wakeup", body if body is not None else {}, **kw)


def test_a_wakeup_queues_the_agents_run_and_answers_202_with_it(api, world):
    # what `paperclipai agent wake` sends with every option (cli.md §4.3, captured)
    body = {"source": "on_demand", "triggerDetail": "manual", "reason": "please", "payload": {"issueId": "x"},
            "idempotencyKey": "k1", "forceFreshSession": True}
    r = wake(api, world.bob["id"], body)
    assert r.status == 202, r
    run = r.json
    assert (run["status"], run["agentId"], run["invocationSource"], run["triggerDetail"]) == ("queued", world.bob["id"], "on_demand", "manual")
    assert run["contextSnapshot"] == {"issueId": "x", "forceFreshSession": True, "wakeReason": "please", "wakeSource": "on_demand"}
    assert run["wakeups"][0]["payload"] == {"issueId": "x"}
    again = wake(api, world.bob["id"], {"source": "timer", "triggerDetail": "ping"})  # joins the queued run
    assert again.status == 202 and again.json["id"] == run["id"] and len(again.json["wakeups"]) == 2
    minimal = wake(api, world.bob["id"], {"source": "on_demand", "triggerDetail": "manual", "forceFreshSession": False})
    assert minimal.json["id"] == run["id"]
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=heartbeat_run&entityId={run['id']}").json
    assert [e["action"] for e in entries] == ["heartbeat.invoked"] * 3


def test_an_idempotency_key_answers_the_first_run(api, world):
    first = wake(api, world.alice["id"], {"idempotencyKey": "same"})
    api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke")  # starts that run: a new wakeup would queue anew
    replay = wake(api, world.alice["id"], {"idempotencyKey": "same"})
    assert replay.status == 202 and replay.json["id"] == first.json["id"] and replay.json["status"] == "running"
    assert replay.headers.get("idempotent-replayed") == "true"
    fresh = wake(api, world.alice["id"], {"idempotencyKey": "other"})
    assert fresh.json["id"] != first.json["id"] and fresh.json["status"] == "queued"


def test_who_may_wake_whom(api, world):
    assert wake(api, world.alice["id"], token=world.alice_key).status == 202
    r = wake(api, world.alice["id"], token=world.bob_key)
    assert r.status == 403  # upstream: "Agent can only invoke itself"
    api.post(f"/api/agents/{world.bob['id']}/pause")
    r = wake(api, world.bob["id"])
    assert r.status == 409 and r.json["error"] == "Agent is not invokable in its current state"
    r = wake(api, world.alice["id"], {"debug": {"providerTrace": "raw"}}, token=world.alice_key)
    assert r.status == 403  # raw provider traces: instance admins only
    assert wake(api, world.alice["id"], {"debug": {"providerTrace": "raw"}}).status == 202  # the local board is one
    assert wake(api, world.alice["id"], {"source": "cron"}).status == 400
    assert wake(api, world.alice["id"], {"payload": {"blob": "x" * 5000}}).status == 400


def test_agents_cannot_smuggle_comment_wakes_in_a_payload(api, world):
    r = wake(api, world.alice["id"], {"payload": {"issueId": "i", "commentId": "c", "wakeCommentIds": ["c"]}},
             token=world.alice_key)
    assert r.json["wakeups"][-1]["payload"] == {"issueId": "i"}


def test_an_exact_retry_of_a_failed_run(api, world):
    issue = api.post(f"/api/companies/{world.cid}/issues", {"title": "Retry me", "assigneeAgentId": world.alice["id"]}).json
    started = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke").json  # takes over the assignment's run
    failed_id = started["run"]["id"]
    retry = {"failedRunId": failed_id, "reason": "retry_failed_run"}
    r = wake(api, world.alice["id"], retry)
    assert r.status == 409 and r.json["error"] == "Only a failed run can be retried."
    api.post(f"/api/heartbeat-runs/{failed_id}/finish", {"status": "failed", "error": "boom"})
    assert wake(api, world.alice["id"], {**retry, "reason": "again"}).status == 400
    assert wake(api, world.alice["id"], retry, token=world.alice_key).status == 403  # board only
    assert wake(api, world.bob["id"], retry).status == 404  # not a run of Bob
    r = wake(api, world.alice["id"], retry)
    assert r.status == 202, r
    assert (r.json["retryOfRunId"], r.json["contextSnapshot"]["issueId"]) == (failed_id, issue["id"])


def test_a_queued_run_holds_a_bounded_number_of_wakeups(api, world, monkeypatch):
    monkeypatch.setattr(wakeups, "MAX_WAKEUPS_PER_RUN", 3)
    ids = {wake(api, world.alice["id"], {"reason": f"r{i}"}).json["id"] for i in range(5)}
    assert len(ids) == 1
    run = api.get(f"/api/heartbeat-runs/{ids.pop()}").json
    assert [w["reason"] for w in run["wakeups"]] == ["r0", "r1", "r2"]


def test_invoke_takes_upstreams_body_and_records_it(api, world):
    r = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke", {"reason": "now", "payload": {"issueId": "z"}})
    assert r.status == 200, r
    run = r.json["run"]
    assert (run["status"], run["invocationSource"], run["triggerDetail"]) == ("running", "on_demand", "manual")
    assert run["contextSnapshot"]["issueId"] == "z"
    r = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke", {"failedRunId": run["id"]})
    assert r.status == 400 and "failedRunId" in r.json["details"]
    assert api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke", {}).json["run"]["invocationSource"] == "on_demand"
    assert api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke", {"typo": 1}).status == 400


@pytest.mark.parametrize("status", ["paused", "pending_approval"])
def test_not_invokable_agents_are_not_invoked(api, world, status):
    agent = api.post(f"/api/companies/{world.cid}/agents", {"name": f"Idle {status}"}).json
    if status == "paused":
        api.post(f"/api/agents/{agent['id']}/pause")
    else:
        agent = api.post(f"/api/companies/{world.cid}/agents", {"name": "Hire", "status": status}).json
    r = api.post(f"/api/agents/{agent['id']}/heartbeat/invoke")
    assert r.status == 409 and r.json["error"] == "Agent is not invokable in its current state"
