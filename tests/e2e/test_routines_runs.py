"""Manual runs: dispatch, concurrency policies, variables, idempotency, triggerId rules, failures (SPEC §5)."""
from datetime import datetime, timezone

from chalicelib.services.issues import execution_close
from chalicelib.store.issues import Issue
from chalicelib.store.transactions import Transaction
from tests.e2e.test_routines_crud import make_routine

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def run(api, rid, body=None, status=202, **kw):
    r = api.post(f"/api/routines/{rid}/run", body if body is not None else {}, **kw)
    assert r.status == status, r
    return r.json


def runs(api, rid, query=""):
    r = api.get(f"/api/routines/{rid}/runs{query}")
    assert r.status == 200, r
    return r.json


def finish_issue(issue_id, status, now=NOW):
    """Moves an execution issue to done/cancelled the way the issues API does: the status change and
    execution_close.add_close_ops in one transaction."""
    issue = Issue.get(issue_id, consistent_read=True)
    tx = Transaction()
    tx.update(issue, actions=[Issue.status.set(status)], condition=Issue.status == issue.status)
    execution_close.add_close_ops(tx, issue, status, now)
    tx.commit()


def company_issues(cid):
    return list(Issue.by_company.query(cid))


def test_manual_run_creates_execution_issue_and_wakes_assignee(api, world):
    parent = None
    routine = make_routine(api, world, title="Briefing {{date}}", priority="high")
    first = run(api, routine["id"], {"source": "manual", "payload": {"context": "Run a one-off briefing"},
                                     "idempotencyKey": "briefing-2026-04-15"})
    assert first["status"] == "issue_created" and first["source"] == "manual"
    assert first["triggerPayload"] == {"context": "Run a one-off briefing"}
    assert first["idempotencyKey"] == "briefing-2026-04-15"
    assert first["createdAt"] == "2026-03-01T12:00:00.000Z"
    issue = Issue.get(first["linkedIssueId"])
    assert (issue.title, issue.status, issue.priority) == ("Briefing 2026-03-01", "todo", "high")
    assert (issue.project_id, issue.goal_id, issue.parent_id, issue.assignee_agent_id) == (
        world.project["id"], world.goal["id"], parent, world.alice["id"])
    assert (issue.origin_kind, issue.origin_id, issue.origin_run_id) == ("routine_execution", routine["id"], first["id"])
    assert issue.identifier == f"{world.company['issuePrefix']}-1"
    queued = api.get(f"/api/agents/{world.alice['id']}/heartbeat-runs?status=queued").json
    assert len(queued) == 1
    assert {"reason": "routine_dispatched", "issueId": issue.id, "routineRunId": first["id"]}.items() <= \
        api.get(f"/api/heartbeat-runs/{queued[0]['id']}").json["wakeups"][-1].items()
    assert api.get(f"/api/routines/{routine['id']}").json["lastTriggeredAt"] == "2026-03-01T12:00:00.000Z"


def test_coalesce_skip_and_always_enqueue(api, world, clock):
    coalescing = make_routine(api, world)
    a = run(api, coalescing["id"])
    clock.advance(seconds=1)
    b = run(api, coalescing["id"], {"payload": {"different": True}, "variables": {}})
    assert b["status"] == "coalesced" and b["linkedIssueId"] == a["linkedIssueId"]
    assert b["coalescedIntoRunId"] == a["id"] and b["completedAt"] is not None

    skipping = make_routine(api, world, concurrencyPolicy="skip_if_active")
    c = run(api, skipping["id"])
    d = run(api, skipping["id"])
    assert d["status"] == "skipped" and d["linkedIssueId"] == c["linkedIssueId"] and d["coalescedIntoRunId"] == c["id"]

    enqueue = make_routine(api, world, concurrencyPolicy="always_enqueue")
    e, f = run(api, enqueue["id"]), run(api, enqueue["id"])
    assert e["status"] == f["status"] == "issue_created" and e["linkedIssueId"] != f["linkedIssueId"]
    assert len(company_issues(world.cid)) == 4
    assert [r["id"] for r in runs(api, coalescing["id"])] == [b["id"], a["id"]]  # newest first


def test_terminal_issue_completes_run_and_frees_the_slot(api, world):
    routine = make_routine(api, world)
    first = run(api, routine["id"])
    finish_issue(first["linkedIssueId"], "done")
    done = runs(api, routine["id"])[0]
    assert done["status"] == "completed" and done["completedAt"] is not None
    assert api.get(f"/api/routines/{routine['id']}").json["activeIssue"] is None
    second = run(api, routine["id"])
    assert second["status"] == "issue_created" and second["linkedIssueId"] != first["linkedIssueId"]
    finish_issue(second["linkedIssueId"], "cancelled")
    failed = [r for r in runs(api, routine["id"]) if r["id"] == second["id"]][0]
    assert failed["status"] == "failed" and failed["failureReason"] == "Execution issue moved to cancelled"
    assert run(api, routine["id"])["status"] == "issue_created"


def test_runs_list_limits(api, world):
    rid = make_routine(api, world, concurrencyPolicy="skip_if_active")["id"]
    for _ in range(3):
        run(api, rid)
    assert len(runs(api, rid, "?limit=2")) == 2
    assert len(runs(api, rid, "?limit=0")) == 1
    assert len(runs(api, rid, "?limit=999")) == 3
    assert api.get(f"/api/routines/{rid}/runs?limit=abc").status == 400
    assert api.get("/api/routines/00000000-0000-4000-8000-000000000000/runs").status == 404


def test_idempotency(api, world):
    rid = make_routine(api, world)["id"]
    body = {"source": "manual", "payload": {"context": "x"}, "idempotencyKey": "k1"}
    first = api.post(f"/api/routines/{rid}/run", body)
    again = api.post(f"/api/routines/{rid}/run", body)
    assert first.status == again.status == 202
    assert again.headers.get("idempotent-replayed") == "true" and "idempotent-replayed" not in first.headers
    assert again.json == first.json
    assert len(runs(api, rid)) == 1
    assert api.post(f"/api/routines/{rid}/run", {**body, "payload": {"context": "y"}}).status == 422
    assert api.post(f"/api/routines/{rid}/run", {**body, "variables": {"a": 1}}).status == 422
    # the key is per source: the same key from source api is another run
    assert api.post(f"/api/routines/{rid}/run", {**body, "source": "api"}).json["id"] != first.json["id"]
    assert api.post(f"/api/routines/{rid}/run", {"idempotencyKey": "x" * 256}).status == 400
    assert api.post(f"/api/routines/{rid}/run", {"idempotencyKey": "x" * 255}).status == 202


def test_trigger_id_rules(api, world):
    rid = make_routine(api, world)["id"]
    other = make_routine(api, world)["id"]
    mine = api.post(f"/api/routines/{rid}/triggers", {"kind": "api"}).json["trigger"]
    theirs = api.post(f"/api/routines/{other}/triggers", {"kind": "api"}).json["trigger"]
    disabled = api.post(f"/api/routines/{rid}/triggers", {"kind": "api", "enabled": False}).json["trigger"]
    run(api, rid, {"triggerId": theirs["id"]}, status=403)
    run(api, rid, {"triggerId": disabled["id"]}, status=409)
    run(api, rid, {"triggerId": "00000000-0000-4000-8000-000000000000"}, status=404)
    fired = run(api, rid, {"source": "api", "triggerId": mine["id"]})
    assert fired["triggerId"] == mine["id"] and fired["source"] == "api"
    trigger = [t for t in api.get(f"/api/routines/{rid}").json["triggers"] if t["id"] == mine["id"]][0]
    assert trigger["lastFiredAt"] == "2026-03-01T12:00:00.000Z" and trigger["lastResult"] == "issue_created"


def test_body_validation_and_overrides(api, world):
    from tests.helpers import make_world

    rid = make_routine(api, world)["id"]
    run(api, rid, {"bogus": 1}, status=400)
    run(api, rid, {"source": "webhook"}, status=400)
    run(api, rid, {"variables": [1]}, status=400)
    other = make_world(api, "Other Co")
    run(api, rid, {"projectId": other.project["id"]}, status=422)
    run(api, rid, {"assigneeAgentId": other.alice["id"]}, status=422)
    run(api, rid, {"assigneeAgentId": "00000000-0000-4000-8000-000000000000"}, status=404)
    api.post(f"/api/agents/{world.bob['id']}/terminate")
    run(api, rid, {"assigneeAgentId": world.bob["id"]}, status=409)
    assert runs(api, rid) == []
    stored = run(api, rid, {"executionWorkspaceId": "ws-1", "executionWorkspacePreference": "reuse",
                            "executionWorkspaceSettings": {"mode": "isolated"}})
    assert (stored["executionWorkspaceId"], stored["executionWorkspacePreference"],
            stored["executionWorkspaceSettings"]) == ("ws-1", "reuse", {"mode": "isolated"})


def test_variables_resolution(api, world):
    routine = make_routine(api, world, concurrencyPolicy="always_enqueue",
                           title="{{client}} report x{{count}} urgent={{urgent}}",
                           variables=[{"name": "client", "type": "text", "required": True},
                                      {"name": "count", "type": "number", "required": True, "defaultValue": 3},
                                      {"name": "urgent", "type": "boolean", "required": False},
                                      {"name": "region", "type": "text", "required": True}])
    rid = routine["id"]
    r = api.post(f"/api/routines/{rid}/run", {})
    assert r.status == 422 and r.json["error"] == "Missing routine variables: client, region"
    assert runs(api, rid) == []
    first = run(api, rid, {"payload": {"variables": {"client": "Acme", "region": "EU", "count": "7"}}})
    assert Issue.get(first["linkedIssueId"]).title == "Acme report x7 urgent="
    second = run(api, rid, {"payload": {"variables": {"client": "Acme", "region": "EU"}},
                            "variables": {"client": "Globex", "urgent": "true"}})
    assert Issue.get(second["linkedIssueId"]).title == "Globex report x3 urgent=true"
    r = api.post(f"/api/routines/{rid}/run", {"variables": {"client": "A", "region": "B", "count": "many"}})
    assert r.status == 422
    # top-level payload keys do not count for manual runs (only webhooks)
    r = api.post(f"/api/routines/{rid}/run", {"payload": {"client": "A", "region": "B"}})
    assert r.status == 422


def test_paused_routine_runs_manually_and_dispatch_failure_is_recorded(api, world):
    rid = make_routine(api, world, status="paused")["id"]
    assert run(api, rid)["status"] == "issue_created"
    routine = make_routine(api, world, assigneeAgentId=world.bob["id"])
    before = len(company_issues(world.cid))
    api.post(f"/api/agents/{world.bob['id']}/terminate")
    failed = run(api, routine["id"])
    assert failed["status"] == "failed" and "terminated" in failed["failureReason"]
    assert failed["linkedIssueId"] is None
    assert len(company_issues(world.cid)) == before  # nothing half-created
    listed = api.get(f"/api/companies/{world.cid}/routines").json
    assert [i["lastRun"]["status"] for i in listed if i["id"] == routine["id"]] == ["failed"]
