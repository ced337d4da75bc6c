"""Builders shared by the issues tests (through the API, as users would)."""
from __future__ import annotations


def new_issue(api, world, **fields) -> dict:
    body = {"title": "Do the thing", **fields}
    r = api.post(f"/api/companies/{world.cid}/issues", body)
    assert r.status == 201, r
    return r.json


def start_run(api, agent_id: str) -> tuple[str, str]:
    """A running heartbeat run for the agent: (run id, run JWT)."""
    r = api.post(f"/api/agents/{agent_id}/heartbeat/invoke")
    assert r.status == 200, r
    return r.json["run"]["id"], r.json["token"]


def checkout(api, issue_ref: str, agent_id: str, token: str, expected=("todo", "backlog", "blocked")):
    return api.post(f"/api/issues/{issue_ref}/checkout", {"agentId": agent_id, "expectedStatuses": list(expected)},
                    token=token)


def queued_wakeups(api, agent_id: str) -> list[dict]:
    """The wakeups of the agent's queued run (a single run's response embeds them; list rows only the first)."""
    r = api.get(f"/api/agents/{agent_id}/heartbeat-runs?status=queued")
    assert r.status == 200, r
    assert len(r.json) <= 1
    if not r.json:
        return []
    run = api.get(f"/api/heartbeat-runs/{r.json[0]['id']}")
    assert run.status == 200, run
    assert run.json["wakeupCount"] == len(run.json["wakeups"])
    return run.json["wakeups"]


def activity_actions(api, world, issue_id: str) -> list[str]:
    r = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue_id}")
    assert r.status == 200, r
    return [a["action"] for a in r.json]


def all_wakeups(api, run: dict) -> list[dict]:
    """Every wakeup of a run (list rows embed only the first; a single run's response up to 100)."""
    r = api.get(f"/api/heartbeat-runs/{run['id']}")
    assert r.status == 200, r
    assert r.json["wakeupCount"] == len(r.json["wakeups"])
    return r.json["wakeups"]
