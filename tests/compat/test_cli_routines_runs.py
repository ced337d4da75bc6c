"""`paperclipai routine …` (raw JSON, no zod: notes/cli.md §8), `run …` and `heartbeat run` (§9)."""
import json

import pytest

from tests.compat.world import World


@pytest.fixture
def w(api, board):
    return World(api, board)


def test_routine_create_list_get_update_run_runs(cli, board, w):
    alice, project = w.agent(), w.project()
    body = {"title": "Daily report", "assigneeAgentId": alice["id"], "projectId": project["id"]}
    routine = cli.ok("routine", "create", "-C", board.cid, "--payload-json", json.dumps(body))
    assert routine["title"] == "Daily report" and routine["status"] == "active"
    assert [r["id"] for r in cli.ok("routine", "list", "-C", board.cid)] == [routine["id"]]
    assert [r["id"] for r in cli.ok("routine", "list", "-C", board.cid, "--project-id", project["id"])] == [routine["id"]]
    assert cli.ok("routine", "get", routine["id"])["id"] == routine["id"]
    run = cli.ok("routine", "run", routine["id"])  # body defaults to {}
    assert run["routineId"] == routine["id"] and run["source"] == "manual"
    assert [r["id"] for r in cli.ok("routine", "runs", routine["id"], "--limit", "5")] == [run["id"]]
    assert cli.ok("routine", "update", routine["id"], "--payload-json", json.dumps({"status": "paused"}))["status"] == "paused"


def test_routine_create_with_activity_gate(cli, board, w):
    alice, project = w.agent(), w.project()
    body = {"title": "Gated", "assigneeAgentId": alice["id"], "projectId": project["id"],
            "activityGatePolicy": "require_external_activity", "activityGateScope": "project"}
    routine = cli.ok("routine", "create", "-C", board.cid, "--payload-json", json.dumps(body))
    assert routine["activityGatePolicy"] == "require_external_activity" and routine["activityGateScope"] == "project"


def test_triggers_create_update_rotate_fire_delete(cli, w):
    routine = w.routine(w.agent(), w.project())
    schedule = cli.ok("routine", "trigger:create", routine["id"], "--payload-json",
                      json.dumps({"kind": "schedule", "cronExpression": "0 9 * * *", "timezone": "UTC"}))["trigger"]
    assert schedule["kind"] == "schedule" and schedule["nextRunAt"]
    disabled = cli.ok("routine", "trigger:update", schedule["id"], "--payload-json", json.dumps({"enabled": False}))
    assert disabled["enabled"] is False
    bearer = cli.ok("routine", "trigger:create", routine["id"], "--payload-json",
                    json.dumps({"kind": "webhook", "signingMode": "bearer"}))
    hook, first_secret = bearer["trigger"], bearer["secretMaterial"]["webhookSecret"]
    rotated = cli.ok("routine", "trigger:rotate-secret", hook["id"])
    secret = rotated["secretMaterial"]["webhookSecret"]
    assert secret != first_secret and rotated["trigger"]["publicId"] == hook["publicId"]
    # The CLI fires with its own Authorization header: a bearer trigger is fired with --api-key <secret>.
    fired = cli.ok("routine", "trigger:fire", hook["publicId"], "--payload-json", json.dumps({"x": 1}),
                   "--api-key", secret)
    assert fired["routineId"] == routine["id"] and fired["source"] == "webhook"
    refused = cli("routine", "trigger:fire", hook["publicId"], "--api-key", first_secret)
    assert refused.code == 1 and refused.error.startswith("API error 401"), refused
    open_hook = cli.ok("routine", "trigger:create", routine["id"], "--payload-json",
                       json.dumps({"kind": "webhook", "signingMode": "none"}))["trigger"]
    # A `none` trigger ignores the board token the CLI sends along.
    assert cli.ok("routine", "trigger:fire", open_hook["publicId"])["source"] == "webhook"
    assert cli("routine", "trigger:delete", schedule["id"]).code == 0
    remaining = {t["id"] for t in w.get(f"/api/routines/{routine['id']}")["triggers"]}
    assert remaining == {hook["id"], open_hook["id"]}


def test_routine_trigger_create_without_a_payload_is_a_clear_error(cli, w):
    routine = w.routine(w.agent(), w.project())
    r = cli.fails("routine", "trigger:create", routine["id"])  # the CLI sends {} by default
    assert r.error.startswith("API error 400") and "kind" in r.err, r


def test_run_list_get_and_cancel(cli, board, w):
    alice = w.agent()
    run_id, _ = w.run(alice)
    listed = cli.ok("run", "list", "-C", board.cid, "--agent-id", alice["id"])
    assert [r["id"] for r in listed] == [run_id]
    assert cli.ok("run", "get", run_id)["status"] == "running"
    assert cli.ok("run", "cancel", run_id)["status"] == "cancelled"


def test_run_live(cli, board, w):
    alice = w.agent()
    run_id, _ = w.run(alice)
    assert [r["id"] for r in cli.ok("run", "live", "-C", board.cid)] == [run_id]


def test_run_events_log_and_issues(cli, w):
    alice = w.agent()
    issue = w.issue(assigneeAgentId=alice["id"])
    run_id, jwt = w.run(alice)
    w.checkout(issue, alice, run_id, jwt)
    assert isinstance(cli.ok("run", "events", run_id), list)
    # No run logs are kept here: 404 `Run log not found`, upstream's answer for a run without a log
    # (docs/compatibility.md, Heartbeat runs); `run log` prints it and exits 1.
    log = cli("run", "log", run_id)
    assert log.code == 1 and "API error 404: Run log not found" in log.err, log
    assert [i["identifier"] for i in cli.ok("run", "issues", run_id)] == [issue["identifier"]]


def test_heartbeat_run_follows_a_woken_run_to_its_end(cli, w):
    # `heartbeat run` wakes the agent, then polls events, the company's runs and the log until the
    # run is terminal. Nothing runs agents here, so the run stays queued: --timeout-ms bounds the
    # wait and the CLI must have found the run in the company's list (not "disappeared").
    alice = w.agent()
    r = cli("heartbeat", "run", "-a", alice["id"], "--timeout-ms", "1500")
    assert "Heartbeat run disappeared" not in r.out + r.err and "CLI timed out" in r.out + r.err, r
