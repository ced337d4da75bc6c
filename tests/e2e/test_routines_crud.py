"""Routine CRUD: fields, validation, status rules, authorization, list and get shapes (SPEC §5)."""
from tests.helpers import create


def routine_body(world, **over):
    body = {
        "title": "Weekly CEO briefing",
        "description": "Compile status report and email Founder",
        "assigneeAgentId": world.alice["id"],
        "projectId": world.project["id"],
        "goalId": world.goal["id"],
        "priority": "medium",
        "status": "active",
        "concurrencyPolicy": "coalesce_if_active",
        "catchUpPolicy": "skip_missed",
    }
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def make_routine(api, world, **over):
    return create(api, f"/api/companies/{world.cid}/routines", routine_body(world, **over))


def board_user(api, world, permissions):
    r = api.post("/api/board-users", {"name": "Op", "memberships": {world.cid: permissions}})
    assert r.status == 201, r
    return r.json["token"]


def test_create_seed_example_and_defaults(api, world):
    r = api.post(f"/api/companies/{world.cid}/routines", routine_body(world))
    assert r.status == 201, r
    routine = r.json
    assert routine["title"] == "Weekly CEO briefing"
    assert routine["status"] == "active"
    assert routine["priority"] == "medium"
    assert routine["concurrencyPolicy"] == "coalesce_if_active"
    assert routine["catchUpPolicy"] == "skip_missed"
    assert routine["variables"] == []
    minimal = make_routine(api, world, description=None, goalId=None, priority=None, status=None,
                           concurrencyPolicy=None, catchUpPolicy=None)
    assert (minimal["status"], minimal["priority"], minimal["concurrencyPolicy"]) == ("active", "medium", "coalesce_if_active")


def test_guide_example_with_variables(api, world):
    routine = make_routine(api, world, title="Weekly CEO briefing for {{company_name}}",
                           description="Compile a weekly summary and prepare the next priorities.",
                           variables=[{"name": "company_name", "label": "Company name", "type": "text",
                                       "required": True, "defaultValue": "Paperclip"}])
    assert routine["variables"][0]["name"] == "company_name"
    assert routine["variables"][0]["defaultValue"] == "Paperclip"


def test_active_without_assignee_is_stored_paused_and_patch_to_active_is_422(api, world):
    routine = make_routine(api, world, assigneeAgentId=None)
    assert routine["status"] == "paused"
    r = api.patch(f"/api/routines/{routine['id']}", {"status": "active"})
    assert r.status == 422
    r = api.patch(f"/api/routines/{routine['id']}", {"status": "active", "assigneeAgentId": world.bob["id"]})
    assert r.status == 200 and r.json["status"] == "active" and r.json["assigneeAgentId"] == world.bob["id"]


def test_archived_is_terminal(api, world):
    routine = make_routine(api, world)
    assert api.patch(f"/api/routines/{routine['id']}", {"status": "archived"}).json["status"] == "archived"
    for target in ("active", "paused"):
        r = api.patch(f"/api/routines/{routine['id']}", {"status": target})
        assert r.status == 422, r
    assert api.patch(f"/api/routines/{routine['id']}", {"title": "Renamed"}).status == 200
    r = api.post(f"/api/routines/{routine['id']}/run", {})
    assert r.status == 409


def test_validation_errors(api, world):
    path = f"/api/companies/{world.cid}/routines"
    assert api.post(path, routine_body(world, title="")).status == 400
    assert api.post(path, routine_body(world, title="x" * 201)).status == 400
    assert api.post(path, routine_body(world, description="x" * 10_001)).status == 400
    assert api.post(path, routine_body(world, priority="urgent")).status == 400
    assert api.post(path, routine_body(world, concurrencyPolicy="sometimes")).status == 400
    assert api.post(path, routine_body(world, bogus=1)).status == 400
    body = routine_body(world)
    del body["projectId"]
    assert api.post(path, body).status == 400
    r = api.post(path, routine_body(world, projectId="00000000-0000-4000-8000-000000000000"))
    assert r.status == 404
    r = api.post(path, routine_body(world, assigneeAgentId="00000000-0000-4000-8000-000000000000"))
    assert r.status == 404
    # Malformed variable declarations: 400 naming the field
    r = api.post(path, routine_body(world, variables=[{"name": "1bad"}]))
    assert r.status == 400 and "variables[0].name" in r.json["details"]
    r = api.post(path, routine_body(world, variables=[{"name": "s", "type": "select"}]))
    assert r.status == 400 and "variables[0].options" in r.json["details"]
    r = api.post(path, routine_body(world, variables=[{"name": "s", "type": "select", "options": ["a"], "defaultValue": "b"}]))
    assert r.status == 400 and "variables[0].defaultValue" in r.json["details"]
    # Unknown placeholders: 422 naming them
    r = api.post(path, routine_body(world, title="Hi {{who}} {{ date }}"))
    assert r.status == 422 and "who" in r.json["error"]


def test_references_of_another_company_are_422(api, world):
    from tests.helpers import make_world

    other = make_world(api, "Other Co")
    path = f"/api/companies/{world.cid}/routines"
    assert api.post(path, routine_body(world, projectId=other.project["id"])).status == 422
    assert api.post(path, routine_body(world, goalId=other.goal["id"])).status == 422
    assert api.post(path, routine_body(world, assigneeAgentId=other.alice["id"])).status == 422
    # and another company's routine is invisible (404) / its path forbidden (403)
    routine = make_routine(api, other)
    assert api.get(f"/api/routines/{routine['id']}", token=world.alice_key).status == 404
    assert api.get(f"/api/companies/{other.cid}/routines", token=world.alice_key).status == 403


def test_terminated_assignee_is_409(api, world):
    assert api.post(f"/api/agents/{world.bob['id']}/terminate").status == 200
    r = api.post(f"/api/companies/{world.cid}/routines", routine_body(world, assigneeAgentId=world.bob["id"]))
    assert r.status == 409


def test_an_assignee_terminated_between_the_read_and_the_write_is_409_and_nothing_is_written(api, world, monkeypatch):
    """Create and PATCH read the assignee (routine_lookup.check_references), then write; the write
    carries a ConditionCheck that the agent is still assignable (as issue create's does)."""
    from chalicelib.services.routines import routine_lookup
    from chalicelib.store.agents import Agent

    routine = make_routine(api, world)  # assigned to Alice
    checked = routine_lookup.check_references

    def then_terminate(*args, **kwargs):
        result = checked(*args, **kwargs)
        Agent(id=world.bob["id"]).update(actions=[Agent.status.set("terminated")])  # as if a board user just did
        return result

    monkeypatch.setattr(routine_lookup, "check_references", then_terminate)
    r = api.post(f"/api/companies/{world.cid}/routines", routine_body(world, title="Bob's", assigneeAgentId=world.bob["id"]))
    assert r.status == 409 and r.json["details"] == {"assigneeAgentId": world.bob["id"]}, r
    assert [x["title"] for x in api.get(f"/api/companies/{world.cid}/routines").json] == ["Weekly CEO briefing"]
    Agent(id=world.bob["id"]).update(actions=[Agent.status.set("idle")])
    r = api.patch(f"/api/routines/{routine['id']}", {"assigneeAgentId": world.bob["id"]})
    assert r.status == 409 and r.json["details"] == {"assigneeAgentId": world.bob["id"]}, r
    assert api.get(f"/api/routines/{routine['id']}").json["assigneeAgentId"] == world.alice["id"]


def test_agent_authorization(api, world):
    path = f"/api/companies/{world.cid}/routines"
    assert api.post(path, routine_body(world, assigneeAgentId=world.bob["id"]), token=world.alice_key).status == 403
    own = api.post(path, routine_body(world), token=world.alice_key)
    assert own.status == 201
    rid = own.json["id"]
    bobs = make_routine(api, world, assigneeAgentId=world.bob["id"])
    # everyone may read
    assert api.get(f"/api/routines/{bobs['id']}", token=world.alice_key).status == 200
    assert api.get(path, token=world.alice_key).status == 200
    # manage only own
    assert api.patch(f"/api/routines/{bobs['id']}", {"title": "x"}, token=world.alice_key).status == 403
    assert api.post(f"/api/routines/{bobs['id']}/run", {}, token=world.alice_key).status == 403
    assert api.post(f"/api/routines/{bobs['id']}/triggers", {"kind": "api"}, token=world.alice_key).status == 403
    assert api.patch(f"/api/routines/{rid}", {"title": "Mine"}, token=world.alice_key).status == 200
    # never reassign
    r = api.patch(f"/api/routines/{rid}", {"assigneeAgentId": world.bob["id"]}, token=world.alice_key)
    assert r.status == 403
    assert api.post(f"/api/routines/{rid}/run", {}, token=world.alice_key).status == 202


def test_board_user_needs_tasks_assign(api, world):
    without = board_user(api, world, [])
    with_perm = board_user(api, world, ["tasks:assign"])
    path = f"/api/companies/{world.cid}/routines"
    assert api.post(path, routine_body(world), token=without).status == 403
    routine = api.post(path, routine_body(world, assigneeAgentId=None), token=with_perm)
    assert routine.status == 201
    rid = routine.json["id"]
    assert api.get(f"/api/routines/{rid}", token=without).status == 200
    assert api.patch(f"/api/routines/{rid}", {"title": "Plain edit"}, token=without).status == 200
    assert api.patch(f"/api/routines/{rid}", {"assigneeAgentId": world.alice["id"]}, token=without).status == 403
    assert api.patch(f"/api/routines/{rid}", {"assigneeAgentId": world.alice["id"]}, token=with_perm).status == 200
    assert api.patch(f"/api/routines/{rid}", {"status": "active"}, token=without).status == 403
    assert api.post(f"/api/routines/{rid}/run", {}, token=without).status == 403
    assert api.post(f"/api/routines/{rid}/triggers", {"kind": "api"}, token=without).status == 403
    assert api.post(f"/api/routines/{rid}/triggers", {"kind": "api"}, token=with_perm).status == 201


def test_list_and_get_shapes(api, world, clock):
    first = make_routine(api, world, title="First")
    clock.advance(seconds=1)
    second = make_routine(api, world, title="Second", assigneeAgentId=None)
    clock.advance(seconds=1)
    api.post(f"/api/routines/{first['id']}/triggers", {"kind": "schedule", "cronExpression": "0 9 * * 1",
                                                         "timezone": "Europe/Amsterdam"})
    run = api.post(f"/api/routines/{first['id']}/run", {})
    assert run.status == 202
    items = api.get(f"/api/companies/{world.cid}/routines").json
    assert [i["title"] for i in items] == ["First", "Second"]  # newest update first
    top = items[0]
    assert [t["kind"] for t in top["triggers"]] == ["schedule"]
    assert set(top["triggers"][0]) == {"id", "kind", "label", "enabled", "cronExpression", "timezone", "nextRunAt",
                                       "lastFiredAt", "lastResult"}
    assert top["lastRun"]["id"] == run.json["id"]
    assert set(top["activeIssue"]) == {"id", "identifier", "title", "status", "priority", "updatedAt"}
    assert top["activeIssue"]["id"] == run.json["linkedIssueId"]
    assert items[1]["lastRun"] is None and items[1]["activeIssue"] is None and items[1]["triggers"] == []
    assert [i["title"] for i in api.get(f"/api/companies/{world.cid}/routines?status=paused").json] == ["Second"]
    assert api.get(f"/api/companies/{world.cid}/routines?status=bogus").status == 400
    assert api.get(f"/api/companies/{world.cid}/routines?projectId={world.project['id']}").json[0]["title"] == "First"

    detail = api.get(f"/api/routines/{first['id']}").json
    assert detail["project"]["id"] == world.project["id"]
    assert detail["assignee"]["id"] == world.alice["id"]
    assert detail["parentIssue"] is None
    assert detail["triggers"][0]["timezone"] == "Europe/Amsterdam"
    assert [r["id"] for r in detail["recentRuns"]] == [run.json["id"]]
    assert detail["activeIssue"]["originKind"] == "routine_execution"
    assert detail["activeIssue"]["originId"] == first["id"]
    assert detail["activeIssue"]["originRunId"] == run.json["id"]
    assert api.get("/api/routines/not-a-uuid").status == 404


def test_skill_reference_examples_parent_issue_and_patch(api, world):
    from chalicelib.store.issues import Issue

    seed = make_routine(api, world, title="Seed work")
    parent_id = api.post(f"/api/routines/{seed['id']}/run", {}).json["linkedIssueId"]
    identifier = Issue.get(parent_id).identifier
    by_id = make_routine(api, world, parentIssueId=parent_id, description="Compile status report and post to Slack")
    assert by_id["parentIssueId"] == parent_id
    by_identifier = make_routine(api, world, parentIssueId=identifier.lower())
    assert by_identifier["parentIssueId"] == parent_id  # stored as the UUID
    child = api.post(f"/api/routines/{by_id['id']}/run", {}).json
    assert Issue.get(child["linkedIssueId"]).parent_id == parent_id
    assert api.get(f"/api/routines/{by_id['id']}").json["parentIssue"]["id"] == parent_id
    r = api.post(f"/api/companies/{world.cid}/routines", routine_body(world, parentIssueId="ZZZ-999"))
    assert r.status == 404
    r = api.patch(f"/api/routines/{by_id['id']}", {"status": "paused", "title": "New title"})
    assert r.status == 200 and (r.json["status"], r.json["title"]) == ("paused", "New title")
    # webhook trigger of the skill reference
    r = api.post(f"/api/routines/{by_id['id']}/triggers", {"kind": "webhook", "signingMode": "hmac_sha256",
                                                            "replayWindowSec": 300})
    assert r.status == 201 and r.json["trigger"]["signingMode"] == "hmac_sha256"
