"""Heartbeat runs as upstream's CLI reads them (validators.md §9.11; cli.md §9): by id, cancel, by
company, live, events, log, and by issue."""


def invoke(api, agent_id, **kw):
    return api.post(f"/api/agents/{agent_id}/heartbeat/invoke", **kw).json


def test_get_and_cancel_a_run(api, world, clock):
    run = invoke(api, world.alice["id"])["run"]
    got = api.get(f"/api/heartbeat-runs/{run['id']}", token=world.bob_key)  # any agent of the company reads runs
    assert got.status == 200 and got.json["id"] == run["id"] and got.json["status"] == "running"
    assert api.post(f"/api/heartbeat-runs/{run['id']}/cancel", {}, token=world.alice_key).status == 403  # board only
    clock.advance(seconds=1)  # the activity log orders entries of one instant by id
    r = api.post(f"/api/heartbeat-runs/{run['id']}/cancel", {})
    assert r.status == 200, r
    assert (r.json["status"], r.json["error"], r.json["finishedAt"]) == ("cancelled", "Cancelled by a board operator", "2026-03-01T12:00:01.000Z")
    assert r.json["resultJson"] == {"cancelledByActorType": "user", "cancelledByUserId": "local-board"}
    again = api.post(f"/api/heartbeat-runs/{run['id']}/cancel", {})  # not cancellable: unchanged, 200
    assert again.status == 200 and again.json == r.json
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=heartbeat_run&entityId={run['id']}").json
    assert [e["action"] for e in entries] == ["heartbeat.cancelled", "heartbeat.invoked"]
    assert api.get("/api/heartbeat-runs/11111111-1111-4111-8111-111111111111").status == 404


def test_cancelling_the_queued_run_frees_the_wakeup_slot(api, world):
    queued = api.post(f"/api/agents/{world.bob['id']}/wakeup", {}).json
    assert api.post(f"/api/heartbeat-runs/{queued['id']}/cancel", {}).json["status"] == "cancelled"
    fresh = api.post(f"/api/agents/{world.bob['id']}/wakeup", {}).json
    assert fresh["id"] != queued["id"] and fresh["status"] == "queued"


def test_a_timed_out_run_is_not_cancelled(api, world, clock):
    run = invoke(api, world.alice["id"])["run"]
    clock.advance(hours=2)
    r = api.post(f"/api/heartbeat-runs/{run['id']}/cancel", {})
    assert r.status == 200 and r.json["status"] == "timed_out" and r.json["error"] is None


def test_company_runs_newest_first_and_by_agent(api, world, clock):
    first = invoke(api, world.alice["id"])["run"]["id"]
    clock.advance(seconds=1)
    second = invoke(api, world.bob["id"])["run"]["id"]
    clock.advance(seconds=1)
    third = invoke(api, world.alice["id"])["run"]["id"]
    runs = api.get(f"/api/companies/{world.cid}/heartbeat-runs")
    assert runs.status == 200 and [r["id"] for r in runs.json] == [third, second, first]
    alices = api.get(f"/api/companies/{world.cid}/heartbeat-runs?agentId={world.alice['id']}&summary=true").json
    assert [r["id"] for r in alices] == [third, first]
    page = api.get(f"/api/companies/{world.cid}/heartbeat-runs?limit=2")
    assert len(page.json) == 2 and page.headers.get("x-next-cursor")
    rest = api.get(f"/api/companies/{world.cid}/heartbeat-runs?limit=2&cursor={page.headers['x-next-cursor']}").json
    assert [r["id"] for r in rest] == [first]
    other = api.post("/api/companies", {"name": "Elsewhere"}).json
    assert api.get(f"/api/companies/{other['id']}/heartbeat-runs?agentId={world.alice['id']}").json == []
    assert api.get(f"/api/companies/{world.cid}/heartbeat-runs?summary=maybe").status == 400
    assert api.get(f"/api/companies/{world.cid}/heartbeat-runs?limit=x").status == 400


def test_live_runs_are_queued_and_running_ones_padded_to_min_count(api, world, clock):
    done = invoke(api, world.alice["id"])["run"]["id"]
    api.post(f"/api/heartbeat-runs/{done}/finish", {"status": "succeeded"})
    clock.advance(seconds=1)  # distinct creation times: the company index orders by them
    expired = invoke(api, world.alice["id"])["run"]["id"]
    clock.advance(hours=2)  # its token expired: timed out, not live
    running = invoke(api, world.alice["id"])["run"]["id"]
    clock.advance(seconds=1)
    queued = api.post(f"/api/agents/{world.bob['id']}/wakeup", {"payload": {"issueId": "i-1"}}).json["id"]
    live = api.get(f"/api/companies/{world.cid}/live-runs").json
    assert [(r["id"], r["status"]) for r in live] == [(queued, "queued"), (running, "running")]
    assert (live[0]["agentName"], live[0]["adapterType"], live[0]["issueId"]) == ("Bob Builder", "process", "i-1")
    padded = api.get(f"/api/companies/{world.cid}/live-runs?minCount=4").json
    assert [r["id"] for r in padded] == [queued, running, expired, done]
    assert [r["id"] for r in api.get(f"/api/companies/{world.cid}/live-runs?limit=1&minCount=4").json] == [queued]
    assert api.get(f"/api/companies/{world.cid}/live-runs?minCount=lots").status == 400


def test_events_are_the_runs_status_changes(api, world, clock):
    run = api.post(f"/api/agents/{world.alice['id']}/wakeup", {}).json
    events = api.get(f"/api/heartbeat-runs/{run['id']}/events?afterSeq=0&limit=100").json
    assert [(e["seq"], e["eventType"], e["payload"]) for e in events] == [(1, "heartbeat.run.status", {"status": "queued"})]
    clock.advance(seconds=5)
    api.post(f"/api/heartbeat-runs/{run['id']}/start")
    clock.advance(seconds=5)
    api.post(f"/api/heartbeat-runs/{run['id']}/finish", {"status": "succeeded"})
    later = api.get(f"/api/heartbeat-runs/{run['id']}/events?afterSeq=1").json
    assert [(e["seq"], e["payload"]["status"], e["createdAt"]) for e in later] == [
        (2, "running", "2026-03-01T12:00:05.000Z"), (3, "succeeded", "2026-03-01T12:00:10.000Z")]
    assert len(api.get(f"/api/heartbeat-runs/{run['id']}/events?limit=1").json) == 1
    assert api.get(f"/api/heartbeat-runs/{run['id']}/events?afterSeq=one").status == 400


def test_no_run_has_a_log(api, world):
    run = invoke(api, world.alice["id"])["run"]["id"]
    r = api.get(f"/api/heartbeat-runs/{run}/log?offset=0&limitBytes=16384")
    assert r.status == 404 and r.json["error"] == "Run log not found"  # what `heartbeat run` tolerates
    assert api.get("/api/heartbeat-runs/11111111-1111-4111-8111-111111111111/log").json["error"] == "Heartbeat run not found"
    assert api.get(f"/api/heartbeat-runs/{run}/log?offset=-x").status == 400


def test_runs_of_an_issue_and_issues_of_a_run(api, world, clock):
    issue = api.post(f"/api/companies/{world.cid}/issues", {"title": "Work", "assigneeAgentId": world.alice["id"]}).json
    woken = api.get(f"/api/agents/{world.alice['id']}/heartbeat-runs?status=queued").json[0]["id"]
    assert api.get(f"/api/issues/{issue['id']}/active-run").json is None  # queued, but nobody holds the issue
    live = api.get(f"/api/issues/{issue['identifier']}/live-runs").json
    assert [r["id"] for r in live] == [woken]
    started = api.post(f"/api/heartbeat-runs/{woken}/start").json
    api.post(f"/api/issues/{issue['id']}/checkout", {"agentId": world.alice["id"], "expectedStatuses": ["todo"]},
             token=started["token"])
    active = api.get(f"/api/issues/{issue['id']}/active-run")
    assert active.status == 200 and (active.json["id"], active.json["agentName"]) == (woken, "Alice")
    runs = api.get(f"/api/issues/{issue['id']}/runs").json
    assert [(r["runId"], r["status"], r["contextIssueId"], r["invocationSource"]) for r in runs] == [
        (woken, "running", issue["id"], "assignment")]
    assert "id" not in runs[0]  # upstream names it runId here
    rows = api.get(f"/api/heartbeat-runs/{woken}/issues").json
    assert rows == [{"issueId": issue["id"], "id": issue["id"], "identifier": issue["identifier"], "title": "Work",
                     "status": "in_progress", "priority": "medium"}]
    api.post(f"/api/heartbeat-runs/{woken}/finish", {"status": "succeeded"})
    assert api.get(f"/api/issues/{issue['id']}/active-run").json is None
    assert api.get(f"/api/issues/{issue['id']}/live-runs").json == []
    assert api.get(f"/api/issues/{issue['id']}/runs", token=world.bob_key).status == 200
    other = api.post("/api/companies", {"name": "Stranger"}).json
    stranger = api.post(f"/api/companies/{other['id']}/agents", {"name": "Zed"}).json
    key = api.post(f"/api/agents/{stranger['id']}/keys", {}).json["token"]
    assert api.get(f"/api/issues/{issue['id']}/runs", token=key).status == 404
    assert api.get(f"/api/heartbeat-runs/{woken}/issues", token=key).status == 404
