"""DELETE /api/agents/{agentId} (validators.md §9.1, adapted) and agent key scopes (§2.3)."""
import pytest

from chalicelib.services.runtime import agent_removal
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.identity import Credential


def test_deleting_an_agent_frees_its_work_and_removes_it(api, world, clock):
    bob = world.bob["id"]
    report = api.post(f"/api/companies/{world.cid}/agents", {"name": "Report", "reportsTo": bob}).json
    issue = api.post(f"/api/companies/{world.cid}/issues", {"title": "Held", "assigneeAgentId": bob}).json
    started = api.post(f"/api/agents/{bob}/heartbeat/invoke").json
    api.post(f"/api/issues/{issue['id']}/checkout", {"agentId": bob, "expectedStatuses": ["todo"]}, token=started["token"])
    assert api.delete(f"/api/agents/{bob}", token=world.bob_key).status == 403  # board only
    clock.advance(seconds=1)  # the activity log orders by time: the delete's entries come first
    assert api.delete(f"/api/agents/{bob}").status == 204
    assert api.get(f"/api/agents/{bob}").status == 404
    assert api.get("/api/agents/me", token=world.bob_key).status == 401
    freed = api.get(f"/api/issues/{issue['id']}").json
    assert (freed["status"], freed["assigneeAgentId"], freed["checkoutRunId"]) == ("todo", None, None)
    assert api.get(f"/api/agents/{report['id']}").json["reportsTo"] is None
    assert list(HeartbeatRun.by_agent.query(bob)) == [] and list(Credential.by_owner.query(bob)) == []
    actions = [e["action"] for e in api.get(f"/api/companies/{world.cid}/activity?entityType=agent&entityId={bob}").json]
    assert sorted(actions[:2]) == ["agent.deleted", "agent.terminated"]  # one instant: their order is the ids'
    assert "agent.deleted" not in actions[2:] and "agent.terminated" not in actions[2:]
    assert api.post(f"/api/companies/{world.cid}/agents", {"name": "Bob Builder"}).status == 201  # its name is free
    assert api.delete(f"/api/agents/{bob}").status == 404


def test_a_delete_that_stops_midway_is_finished_by_repeating_it(api, world, monkeypatch):
    alice = world.alice["id"]
    real_remove = agent_removal.remove

    def crash(*args, **kwargs):
        raise RuntimeError("Lambda timed out")

    monkeypatch.setattr(agent_removal, "remove", crash)
    assert api.delete(f"/api/agents/{alice}").status == 500
    left = api.get(f"/api/agents/{alice}").json
    assert left["status"] == "terminated"  # inert: it cannot authenticate, be woken or take work
    assert api.get("/api/agents/me", token=world.alice_key).status == 401
    monkeypatch.setattr(agent_removal, "remove", real_remove)
    assert api.delete(f"/api/agents/{alice}").status == 204
    assert api.get(f"/api/agents/{alice}").status == 404


def test_key_scopes(api, world):
    path = f"/api/agents/{world.alice['id']}/keys"
    r = api.post(path, {"name": "cli-agent", "scope": {"kind": "standard"}})  # what `token agent create` sends
    assert r.status == 201 and r.json["scope"] == {"kind": "standard"} and r.json["responsibleUserId"] is None
    assert api.get("/api/agents/me", token=r.json["token"]).status == 200
    default = api.post(path, {}).json
    assert (default["name"], default["scope"]) == ("default", {"kind": "standard"})
    listed = {k["id"]: k for k in api.get(path).json}
    assert listed[r.json["id"]]["scope"] == {"kind": "standard"} and "token" not in listed[r.json["id"]]
    bridge = {"kind": "task_bridge", "projectId": world.project["id"]}
    r = api.post(path, {"scope": bridge})
    assert r.status == 422 and r.json["details"] == {"scope.kind": "task_bridge"}  # a confinement we cannot enforce


@pytest.mark.parametrize("scope", [{"kind": "admin"}, {"kind": "standard", "extra": 1}, {"kind": "task_bridge"},
                                   {"kind": "skill_test", "issueId": "nope"}, "standard"])
def test_malformed_scopes_are_400(api, world, scope):
    r = api.post(f"/api/agents/{world.alice['id']}/keys", {"scope": scope})
    assert r.status == 400 and "scope" in r.json["details"]


def test_terminated_agents_get_no_keys(api, world):
    api.post(f"/api/agents/{world.bob['id']}/terminate")
    r = api.post(f"/api/agents/{world.bob['id']}/keys", {})
    assert r.status == 409 and r.json["error"] == "Cannot create keys for terminated agents"
