"""Companies, agents, projects, goals, activity and health (SPEC §3)."""
import pytest

from tests.helpers import create


def test_issue_prefixes_are_derived_and_unique(api):
    names = ["Acme", "acme two", "ACME three", "42", "Q", "Über Labs"]
    prefixes = [create(api, "/api/companies", {"name": n})["issuePrefix"] for n in names]
    assert prefixes == ["ACM", "ACM2", "ACM3", "CMP", "QXX", "BER"]


def test_company_patch_and_activity(api, world, clock):
    clock.advance(seconds=1)
    r = api.patch(f"/api/companies/{world.cid}", {"description": "We make things", "status": "paused"})
    assert r.status == 200 and r.json["status"] == "paused" and r.json["issuePrefix"] == "ACM"
    assert api.get(f"/api/companies/{world.cid}").json["description"] == "We make things"
    acts = api.get(f"/api/companies/{world.cid}/activity").json
    assert acts[0]["action"] == "company.updated" and acts[0]["actorType"] == "board"
    assert {a["action"] for a in acts} >= {"company.created", "agent.created", "project.created", "goal.created", "agent.key_created"}
    only_alice = api.get(f"/api/companies/{world.cid}/activity?entityType=agent&entityId={world.alice['id']}").json
    assert {a["action"] for a in only_alice} == {"agent.created", "agent.key_created"}


def test_agent_activity_filter_and_actor(api, world):
    run = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke").json
    api.patch(f"/api/agents/{world.alice['id']}", {"title": "Lead"}, token=run["token"])
    acts = api.get(f"/api/companies/{world.cid}/activity?agentId={world.alice['id']}").json
    assert [a["action"] for a in acts] == ["agent.updated"]
    assert acts[0]["actorType"] == "agent" and acts[0]["runId"] == run["run"]["id"]


def test_agent_defaults_and_lifecycle(api, world):
    agent = create(api, f"/api/companies/{world.cid}/agents", {"name": "Carol", "reportsTo": world.alice["id"]})
    assert (agent["role"], agent["status"], agent["reportsTo"]) == ("general", "idle", world.alice["id"])
    assert api.post(f"/api/agents/{agent['id']}/pause").json["status"] == "paused"
    assert api.post(f"/api/agents/{agent['id']}/pause").status == 409
    assert api.post(f"/api/agents/{agent['id']}/heartbeat/invoke").status == 409
    assert api.post(f"/api/agents/{agent['id']}/resume").json["status"] == "idle"
    assert api.post(f"/api/agents/{agent['id']}/terminate").json["status"] == "terminated"
    assert api.patch(f"/api/agents/{agent['id']}", {"title": "x"}).status == 409


def test_reports_to_must_be_in_the_company(api, world):
    other = create(api, "/api/companies", {"name": "Other"})
    stranger = create(api, f"/api/companies/{other['id']}/agents", {"name": "Stranger"})
    r = api.post(f"/api/companies/{world.cid}/agents", {"name": "Carol", "reportsTo": stranger["id"]})
    assert r.status == 422
    r = api.post(f"/api/companies/{world.cid}/agents", {"name": "Carol", "reportsTo": "00000000-0000-4000-8000-000000000000"})
    assert r.status == 404


def test_projects_and_goals(api, world, clock):
    clock.advance(seconds=1)
    goal = create(api, f"/api/companies/{world.cid}/goals", {"title": "Sub", "parentId": world.goal["id"], "level": "team"})
    assert (goal["status"], goal["level"], goal["parentId"]) == ("planned", "team", world.goal["id"])
    assert api.patch(f"/api/goals/{world.goal['id']}", {"parentId": goal["id"]}).status == 422  # cycle
    assert api.patch(f"/api/goals/{goal['id']}", {"status": "achieved"}).json["status"] == "achieved"
    assert api.patch(f"/api/goals/{goal['id']}", {"status": "completed"}).status == 400
    project = create(api, f"/api/companies/{world.cid}/projects", {"name": "P", "goalIds": [goal["id"]]})
    assert project["goalIds"] == [goal["id"]] and project["pausedAt"] is None
    paused = api.patch(f"/api/projects/{project['id']}", {"paused": True}).json
    assert paused["pausedAt"] == "2026-03-01T12:00:01.000Z"
    assert api.patch(f"/api/projects/{project['id']}", {"goalIds": ["00000000-0000-4000-8000-000000000000"]}).status == 404
    other = create(api, "/api/companies", {"name": "Other"})
    foreign = create(api, f"/api/companies/{other['id']}/goals", {"title": "Theirs"})
    assert api.patch(f"/api/projects/{project['id']}", {"goalIds": [foreign["id"]]}).status == 422
    assert [p["name"] for p in api.get(f"/api/companies/{world.cid}/projects").json] == ["Launch", "P"]


def test_health_reports_unreachable_database(api, monkeypatch):
    import botocore.session
    from botocore.config import Config

    from chalicelib.services import health

    dead = botocore.session.get_session().create_client(
        "dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
        config=Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1}),
    )
    monkeypatch.setattr(health, "_probe_client", lambda: dead)
    r = api.get("/api/health")
    assert r.status == 503 and r.json == {"status": "unhealthy", "error": "database_unreachable"}


def test_exhausted_issue_prefixes_are_a_409_not_a_500(api, monkeypatch):
    from chalicelib.services.org import companies

    monkeypatch.setattr(companies, "MAX_PREFIX_ATTEMPTS", 1)  # ACM and ACM2 only
    assert [create(api, "/api/companies", {"name": "Acme"})["issuePrefix"] for _ in range(2)] == ["ACM", "ACM2"]
    r = api.post("/api/companies", {"name": "Acme"})
    assert r.status == 409 and r.json["details"] == {"issuePrefix": "ACM"}


@pytest.mark.parametrize("path, field", [
    ("/api/companies/{cid}", "name"), ("/api/companies/{cid}", "status"),
    ("/api/agents/{alice}", "name"), ("/api/agents/{alice}", "role"),
    ("/api/projects/{project}", "name"), ("/api/projects/{project}", "status"),
    ("/api/goals/{goal}", "title"), ("/api/goals/{goal}", "status"), ("/api/goals/{goal}", "level"),
])
def test_patch_cannot_null_a_required_field(api, world, path, field):
    # Found by the API fuzzer: `{"name": null}` was a 500 for agents, and for the others it removed the
    # attribute, so every later read of the entity broke its documented response schema.
    url = path.format(cid=world.cid, alice=world.alice["id"], project=world.project["id"], goal=world.goal["id"])
    before = api.get(url).json
    r = api.patch(url, {field: None})
    assert r.status == 400 and field in r.json["details"], r
    assert api.get(url).json == before


def test_patch_may_still_clear_optional_fields(api, world):
    assert api.patch(f"/api/companies/{world.cid}", {"description": None}).json["description"] is None
    assert api.patch(f"/api/agents/{world.bob['id']}", {"title": None, "reportsTo": None}).json["title"] is None
    assert api.patch(f"/api/goals/{world.goal['id']}", {"description": None, "parentId": None}).status == 200
