"""Companies, projects, goals, routines and activity as upstream's clients use them (issue 14):
every upstream request field accepted (behaviour or stored and returned as given), typos still 400,
query parameters honoured or 400, url-key lookups, DELETE with upstream's semantics.
Upstream's fields and semantics: /work/upstream/notes/validators.md §2.1, §3, §4, §6, §7, §8, §9.1, §9.5."""
from __future__ import annotations

from tests.helpers import create

GUID = "7b0a4ec2-5a4c-4c8e-9a57-0e7f6c1d2b3a"


# --- companies --------------------------------------------------------------------------------------

def test_company_accepts_and_returns_upstream_fields(api):
    company = create(api, "/api/companies", {"name": "Budget Co", "budgetMonthlyCents": 5000})
    assert company["budgetMonthlyCents"] == 5000 and company["spentMonthlyCents"] == 0
    assert company["defaultResponsibleUserId"]  # upstream: the creator when absent
    patch = {
        "budgetMonthlyCents": 7000, "spentMonthlyCents": 12, "requireBoardApprovalForNewAgents": True,
        "interactionResolverGovernance": {"suggest_tasks": {"defaultPolicy": "anyone", "cap": "board_only"}},
        "feedbackDataSharingEnabled": True, "feedbackDataSharingConsentAt": "2026-05-01T10:00:00Z",
        "feedbackDataSharingConsentByUserId": "user-1", "feedbackDataSharingTermsVersion": "v2",
        "logoAssetId": GUID, "defaultResponsibleUserId": None,
    }
    r = api.patch(f"/api/companies/{company['id']}", patch)
    assert r.status == 200, r
    for key, value in patch.items():
        assert r.json[key] == value, key
    again = api.get(f"/api/companies/{company['id']}").json
    assert {k: again[k] for k in patch} == patch
    assert again["logoUrl"] is None and again["issueCounter"] == 0


def test_company_fields_are_validated_like_upstream(api):
    cid = create(api, "/api/companies", {"name": "Strict Co"})["id"]
    for body, field in [
        ({"budgetMonthlyCents": -1}, "budgetMonthlyCents"),
        ({"budgetMonthlyCents": "5"}, "budgetMonthlyCents"),
        ({"logoAssetId": "not-a-guid"}, "logoAssetId"),
        ({"interactionResolverGovernance": {"suggest_tasks": {"defaultPolicy": "nobody"}}},
         "interactionResolverGovernance.suggest_tasks.defaultPolicy"),
        ({"interactionResolverGovernance": {"unknown_kind": {}}}, "interactionResolverGovernance.unknown_kind"),
        ({"feedbackDataSharingConsentAt": "yesterday"}, "feedbackDataSharingConsentAt"),
        ({"budgetMonthlyCent": 1}, "budgetMonthlyCent"),  # a typo upstream would drop silently
    ]:
        r = api.patch(f"/api/companies/{cid}", body)
        assert r.status == 400, (body, r)
        assert field in r.json["details"], (field, r.json)
    # create-only rule: upstream's create schema has no requireBoardApprovalForNewAgents
    r = api.post("/api/companies", {"name": "X", "requireBoardApprovalForNewAgents": True})
    assert r.status == 400 and "requireBoardApprovalForNewAgents" in r.json["details"]


def test_company_list_scope_and_unknown_params(api, world):
    assert api.get("/api/companies?scope=accessible").status == 200
    r = api.get("/api/companies?scope=all")
    assert r.status == 400 and "scope" in r.json["details"]
    r = api.get("/api/companies?includeDeleted=true")
    assert r.status == 400 and r.json["details"] == {"includeDeleted": "unknown query parameter"}


# --- query parameters and listing under an unknown company ------------------------------------------

def test_every_company_list_of_this_area_refuses_unknown_params_and_unknown_companies(api, world):
    missing = "00000000-0000-4000-8000-000000000000"
    for tail in ("projects", "goals", "activity", "routines"):
        r = api.get(f"/api/companies/{world.cid}/{tail}?bogus=1")
        assert r.status == 400 and r.json["details"] == {"bogus": "unknown query parameter"}, (tail, r)
        assert api.get(f"/api/companies/{world.cid}/{tail}").status == 200, tail
        r = api.get(f"/api/companies/{missing}/{tail}")
        assert r.status == 404 and r.json["error"] == "Company not found", (tail, r)


def test_unknown_query_params_are_refused_on_single_entities(api, world):
    r = api.get(f"/api/goals/{world.goal['id']}?expand=all")
    assert r.status == 400 and r.json["details"] == {"expand": "unknown query parameter"}


# --- activity ---------------------------------------------------------------------------------------

def test_activity_entity_id_without_entity_type(api, world):
    pid = world.project["id"]
    api.patch(f"/api/projects/{pid}", {"description": "changed"})
    entries = api.get(f"/api/companies/{world.cid}/activity?entityId={pid}").json
    assert [e["action"] for e in entries] == ["project.updated", "project.created"]
    assert {e["entityId"] for e in entries} == {pid}
    # with the type too, and a type that does not match
    assert len(api.get(f"/api/companies/{world.cid}/activity?entityId={pid}&entityType=project").json) == 2
    assert api.get(f"/api/companies/{world.cid}/activity?entityId={pid}&entityType=goal").json == []
    # the whole log still has more than that entity's entries
    assert len(api.get(f"/api/companies/{world.cid}/activity").json) > 2


def test_activity_limit_follows_upstream(api, world):
    for i in range(3):
        api.patch(f"/api/goals/{world.goal['id']}", {"description": f"d{i}"})
    assert len(api.get(f"/api/companies/{world.cid}/activity?limit=2").json) == 2
    r = api.get(f"/api/companies/{world.cid}/activity?limit=abc")
    assert r.status == 400 and "limit" in r.json["details"]


# --- projects ---------------------------------------------------------------------------------------

def test_project_create_with_every_cli_flag(api, world):
    """`paperclipai project create` with all flags sends exactly this body (cli.md §5)."""
    lead = world.alice["id"]
    body = {"goalId": world.goal["id"], "goalIds": [world.goal["id"]], "name": "Proj", "description": "d", "status": "planned",
            "leadAgentId": lead, "targetDate": "2026-12-31", "color": "#fff", "env": {"A": "b"},
            "executionWorkspacePolicy": {"enabled": False}}
    project = create(api, f"/api/companies/{world.cid}/projects", body)
    for key in ("goalIds", "name", "description", "status", "leadAgentId", "targetDate", "color", "env", "executionWorkspacePolicy"):
        assert project[key] == body[key], key
    assert project["goalId"] == world.goal["id"] and project["urlKey"] == "proj"
    minimal = create(api, f"/api/companies/{world.cid}/projects", {"name": "Min"})
    assert minimal["status"] == "backlog" and minimal["goalIds"] == [] and minimal["goalId"] is None


def test_project_update_with_cli_bodies(api, world):
    pid = world.project["id"]
    r = api.patch(f"/api/projects/{pid}", {"goalIds": [], "name": "P2", "description": None, "archivedAt": None})
    assert r.status == 200 and r.json["name"] == "P2" and r.json["urlKey"] == "p2" and r.json["description"] is None
    r = api.patch(f"/api/projects/{pid}", {"goalId": world.goal["id"], "color": "#000", "icon": "rocket"})
    assert r.json["goalIds"] == [world.goal["id"]] and r.json["icon"] == "rocket"
    r = api.patch(f"/api/projects/{pid}", {"goalId": None})
    assert r.json["goalIds"] == [] and r.json["goalId"] is None
    for body, field in [({"icon": "unicorn"}, "icon"), ({"executionWorkspacePolicy": {}}, "executionWorkspacePolicy"),
                        ({"env": {"A": 1}}, "env"), ({"archivedAt": "soon"}, "archivedAt"), ({"leadAgentId": "x"}, "leadAgentId"),
                        ({"env": {"BIG": "x" * 20_000}}, "env"), ({"leadAgent": GUID}, "leadAgent")]:
        r = api.patch(f"/api/projects/{pid}", body)
        assert r.status == 400 and field in r.json["details"], (body, r)


def test_project_lookup_by_url_key(api, world):
    project = create(api, f"/api/companies/{world.cid}/projects", {"name": "Website Redesign"})
    assert project["urlKey"] == "website-redesign"
    r = api.get(f"/api/projects/website-redesign?companyId={world.cid}")
    assert r.status == 200 and r.json["id"] == project["id"]
    # agents resolve in their own company without companyId
    assert api.get("/api/projects/WEBSITE-Redesign", token=world.alice_key).json["id"] == project["id"]
    # the board must say which company; unknown keys are 404
    assert api.get("/api/projects/website-redesign").status == 404
    assert api.get(f"/api/projects/nothing-here?companyId={world.cid}").status == 404
    # PATCH and DELETE take the key too
    r = api.patch(f"/api/projects/website-redesign?companyId={world.cid}", {"color": "#123"})
    assert r.status == 200 and r.json["color"] == "#123"
    # two projects with one key: 409, use the id
    create(api, f"/api/companies/{world.cid}/projects", {"name": "website  redesign!"})
    r = api.get(f"/api/projects/website-redesign?companyId={world.cid}")
    assert r.status == 409
    # a name with non-ASCII characters gets the id's first 8 hex digits
    accented = create(api, f"/api/companies/{world.cid}/projects", {"name": "Café"})
    assert accented["urlKey"] == "caf-" + accented["id"].replace("-", "")[:8]


def test_project_lookup_in_another_company_is_refused(api, world):
    other = create(api, "/api/companies", {"name": "Other"})
    create(api, f"/api/companies/{other['id']}/projects", {"name": "Secret"})
    r = api.get(f"/api/projects/secret?companyId={other['id']}", token=world.alice_key)
    assert r.status == 403


def test_archived_projects_are_listed_on_request(api, world):
    archived = create(api, f"/api/companies/{world.cid}/projects", {"name": "Old", "archivedAt": "2026-01-01T00:00:00Z"})
    ids = {p["id"] for p in api.get(f"/api/companies/{world.cid}/projects").json}
    assert archived["id"] not in ids and world.project["id"] in ids
    ids = {p["id"] for p in api.get(f"/api/companies/{world.cid}/projects?includeArchived=true").json}
    assert archived["id"] in ids
    assert api.get(f"/api/companies/{world.cid}/projects?includeArchived=yes").status == 400


def test_project_idempotency_key(api, world):
    body = {"name": "Once", "idempotencyKey": "k-1"}
    first = api.post(f"/api/companies/{world.cid}/projects", body)
    again = api.post(f"/api/companies/{world.cid}/projects", body)
    assert first.status == 201 and again.status == 200 and again.json["id"] == first.json["id"]
    r = api.post(f"/api/companies/{world.cid}/projects", {"name": "Other", "idempotencyKey": "k-1"})
    assert r.status == 409
    names = [p["name"] for p in api.get(f"/api/companies/{world.cid}/projects").json]
    assert names.count("Once") == 1 and "Other" not in names


def test_project_delete(api, world):
    project = create(api, f"/api/companies/{world.cid}/projects", {"name": "Doomed"})
    r = api.delete(f"/api/projects/doomed?companyId={world.cid}")
    assert r.status == 200 and r.json["id"] == project["id"]
    assert api.get(f"/api/projects/{project['id']}").status == 404
    assert project["id"] not in {p["id"] for p in api.get(f"/api/companies/{world.cid}/projects").json}
    actions = [e["action"] for e in api.get(f"/api/companies/{world.cid}/activity?entityId={project['id']}").json]
    assert sorted(actions) == ["project.created", "project.deleted"]
    assert api.delete(f"/api/projects/{project['id']}").status == 404


def test_project_referenced_by_an_issue_or_routine_is_409(api, world):
    pid = world.project["id"]
    issue = create(api, f"/api/companies/{world.cid}/issues", {"title": "Uses it", "projectId": pid})
    r = api.delete(f"/api/projects/{pid}")
    assert r.status == 409 and r.json["details"] == {"issueId": issue["id"]}
    assert api.get(f"/api/projects/{pid}").status == 200  # unmarked: still there and usable
    assert api.patch(f"/api/projects/{pid}", {"color": "#abc"}).status == 200
    other = create(api, f"/api/companies/{world.cid}/projects", {"name": "Routine home"})
    routine = create(api, f"/api/companies/{world.cid}/routines", {"title": "R", "projectId": other["id"]})
    r = api.delete(f"/api/projects/{other['id']}")
    assert r.status == 409 and r.json["details"] == {"routineId": routine["id"]}


def test_project_delete_needs_company_manage(api, world):
    r = api.delete(f"/api/projects/{world.project['id']}", token=world.alice_key)
    assert r.status == 403


# --- goals ------------------------------------------------------------------------------------------

def test_goal_cli_bodies(api, world):
    """`goal create` minimal sends level "task" (cli.md §6); the full form sends ownerAgentId too."""
    goal = create(api, f"/api/companies/{world.cid}/goals", {"title": "G", "level": "task", "status": "planned"})
    assert goal["level"] == "task" and goal["ownerAgentId"] is None
    assert create(api, f"/api/companies/{world.cid}/goals", {"title": "Default"})["level"] == "task"  # upstream's default
    full = create(api, f"/api/companies/{world.cid}/goals", {"title": "G", "description": "d", "level": "company", "status": "active",
                                                              "parentId": goal["id"], "ownerAgentId": world.alice["id"]})
    assert full["ownerAgentId"] == world.alice["id"] and full["parentId"] == goal["id"]
    r = api.patch(f"/api/goals/{full['id']}", {"title": "G2", "status": "achieved", "parentId": None, "ownerAgentId": None,
                                               "level": "team"})
    assert r.status == 200 and r.json["parentId"] is None and r.json["ownerAgentId"] is None and r.json["level"] == "team"
    r = api.post(f"/api/companies/{world.cid}/goals", {"title": "G", "level": "galaxy"})
    assert r.status == 400 and "level" in r.json["details"]


def test_goal_delete_refused_while_referenced(api, world):
    goal = create(api, f"/api/companies/{world.cid}/goals", {"title": "Parent"})
    child = create(api, f"/api/companies/{world.cid}/goals", {"title": "Child", "parentId": goal["id"]})
    r = api.delete(f"/api/goals/{goal['id']}")
    assert r.status == 409 and r.json["details"] == {"goalId": child["id"]}
    assert api.delete(f"/api/goals/{child['id']}").status == 200
    project = create(api, f"/api/companies/{world.cid}/projects", {"name": "Uses goal", "goalIds": [goal["id"]]})
    r = api.delete(f"/api/goals/{goal['id']}")
    assert r.status == 409 and r.json["details"] == {"projectId": project["id"]}
    api.patch(f"/api/projects/{project['id']}", {"goalIds": []})
    r = api.delete(f"/api/goals/{goal['id']}")
    assert r.status == 200 and r.json["id"] == goal["id"]
    assert api.get(f"/api/goals/{goal['id']}").status == 404
    assert goal["id"] not in {g["id"] for g in api.get(f"/api/companies/{world.cid}/goals").json}


# --- routines ---------------------------------------------------------------------------------------

def test_routine_upstream_fields_are_stored_and_returned(api, world):
    body = {"title": "R", "projectId": world.project["id"], "activityGatePolicy": "require_external_activity",
            "activityGateScope": "project", "env": {"TOKEN": {"type": "plain", "value": "x"}}, "folderId": GUID}
    routine = create(api, f"/api/companies/{world.cid}/routines", body)
    for key in ("activityGatePolicy", "activityGateScope", "env", "folderId"):
        assert routine[key] == body[key], key
    r = api.patch(f"/api/routines/{routine['id']}", {"activityGatePolicy": "always", "env": None, "folderId": None,
                                                      "baseRevisionId": GUID})
    assert r.status == 200, r
    assert r.json["activityGatePolicy"] == "always" and r.json["env"] is None and r.json["folderId"] is None
    detail = api.get(f"/api/routines/{routine['id']}").json
    assert detail["activityGatePolicy"] == "always" and detail["activityGateScope"] == "project"
    for bad, field in [({"activityGatePolicy": "sometimes"}, "activityGatePolicy"), ({"activityGateScope": "team"}, "activityGateScope"),
                       ({"activityGatePolicy": None}, "activityGatePolicy"), ({"activityGate": "always"}, "activityGate")]:
        r = api.patch(f"/api/routines/{routine['id']}", bad)
        assert r.status == 400 and field in r.json["details"], (bad, r)


def test_routine_run_accepts_upstream_body_fields(api, world):
    routine = create(api, f"/api/companies/{world.cid}/routines",
                     {"title": "R", "projectId": world.project["id"], "assigneeAgentId": world.alice["id"]})
    r = api.post(f"/api/routines/{routine['id']}/run", {"source": "api", "projectWorkspaceId": None, "payload": {"a": 1}})
    assert r.status == 202, r
    r = api.post(f"/api/routines/{routine['id']}/run", {"projectWorkspaceId": "nope"})
    assert r.status == 400 and "projectWorkspaceId" in r.json["details"]


# --- company deletion -------------------------------------------------------------------------------

def _populate(api, world) -> dict:
    """One of everything a company owns, through the API."""
    issue = create(api, f"/api/companies/{world.cid}/issues", {"title": "Work", "projectId": world.project["id"]})
    assert api.post(f"/api/issues/{issue['id']}/comments", {"body": "hello"}).status == 201
    big = "x" * 40_000  # over the inline limit: the body goes to S3
    assert api.put(f"/api/issues/{issue['id']}/documents/plan", {"format": "markdown", "body": big}).status in (200, 201)
    boundary = "b0undary"
    raw = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
           f"Content-Type: text/plain\r\n\r\nhi\r\n--{boundary}--\r\n").encode()
    r = api.call("POST", f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=raw,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 201, r
    blocker = create(api, f"/api/companies/{world.cid}/issues", {"title": "First this"})
    assert api.patch(f"/api/issues/{issue['id']}", {"blockedByIssueIds": [blocker["id"]]}).status == 200
    assert api.post(f"/api/issues/{issue['id']}/work-products",
                    {"type": "pull_request", "provider": "github", "title": "PR"}).status == 201
    routine = create(api, f"/api/companies/{world.cid}/routines",
                     {"title": "R", "projectId": world.project["id"], "assigneeAgentId": world.alice["id"]})
    create(api, f"/api/routines/{routine['id']}/triggers", {"kind": "schedule", "cronExpression": "0 9 * * *"})
    assert api.post(f"/api/routines/{routine['id']}/run", {}).status == 202
    assert api.post(f"/api/agents/{world.bob['id']}/heartbeat/invoke", {}).status in (200, 202)
    return {"issue": issue, "routine": routine}


def _left_of(company_id: str) -> dict[str, int]:
    """Items of the company still in any table, and its S3 objects."""
    from chalicelib.store import blobs
    from chalicelib.store.registry import ALL_MODELS
    from chalicelib.store.uniques import UniqueKey

    left: dict[str, int] = {}
    for model in ALL_MODELS:
        for item in model.scan():
            text = str(item.attribute_values)
            if getattr(item, "company_id", None) == "instance":
                continue  # the instance log keeps "company.deleted"
            if company_id in text and model is not UniqueKey or (model is UniqueKey and item.ref == company_id):
                left[model.Meta.table_name] = left.get(model.Meta.table_name, 0) + 1
    s3 = blobs._s3()
    from chalicelib.config import settings
    for prefix in ("documents/", "attachments/"):
        objects = s3.list_objects_v2(Bucket=settings().attachments_bucket, Prefix=f"{prefix}{company_id}/").get("Contents", [])
        if objects:
            left[prefix] = len(objects)
    return left


def test_company_delete_removes_everything(api, world):
    made = _populate(api, world)
    assert _left_of(world.cid)  # the check sees the company's data
    r = api.delete(f"/api/companies/{world.cid}")
    assert r.status == 200 and r.json["ok"] is True, r
    assert _left_of(world.cid) == {}
    assert api.get(f"/api/companies/{world.cid}").status == 404
    assert api.get(f"/api/issues/{made['issue']['id']}").status == 404
    assert world.cid not in {c["id"] for c in api.get("/api/companies").json}
    assert api.get("/api/agents/me", token=world.alice_key).status == 401  # its keys are gone
    # unique keys are free again: the prefix and the agent names
    again = create(api, "/api/companies", {"name": world.company["name"]})
    assert again["issuePrefix"] == world.company["issuePrefix"]
    create(api, f"/api/companies/{again['id']}/agents", {"name": "Alice"})
    assert api.delete(f"/api/companies/{world.cid}").status == 404
    log = api.get("/api/instance/activity").json
    assert any(e["action"] == "company.deleted" and e["entityId"] == world.cid for e in log)


def test_company_delete_resumes_where_it_stopped(api, world, monkeypatch):
    """A request that runs out of its budget (as one that crashes would) leaves a company that reads as
    gone; repeating DELETE finishes it."""
    from chalicelib.services.org import company_deletion

    _populate(api, world)
    monkeypatch.setattr(company_deletion, "MAX_DELETES_PER_REQUEST", 3)
    first = api.delete(f"/api/companies/{world.cid}")
    assert first.status == 202 and first.json["status"] == "deleting", first
    assert api.get(f"/api/companies/{world.cid}").status == 404
    assert api.post(f"/api/companies/{world.cid}/goals", {"title": "late"}).status == 404
    assert api.post(f"/api/companies/{world.cid}/projects", {"name": "late"}).status == 404
    assert world.cid not in {c["id"] for c in api.get("/api/companies").json}
    statuses = [first.status]
    for _ in range(40):
        r = api.delete(f"/api/companies/{world.cid}")
        statuses.append(r.status)
        if r.status == 200:
            break
    assert statuses[-1] == 200 and set(statuses[:-1]) == {202}
    assert _left_of(world.cid) == {}


def test_company_delete_is_board_only_with_company_manage(api, world):
    assert api.delete(f"/api/companies/{world.cid}", token=world.alice_key).status == 403
    assert api.get(f"/api/companies/{world.cid}").status == 200


def test_company_delete_after_a_crash_mid_cascade(api, world, monkeypatch):
    """A Lambda that dies mid-cascade (here: a step that raises after removing some of its items) leaves
    a company that reads as gone and nothing that still works as it; the next DELETE finishes the job."""
    from chalicelib.services.org import company_deletion

    made = _populate(api, world)
    real_issues_step = company_deletion._issues

    def crash(company, budget):
        real_issues_step(company, company_deletion._Budget(1))  # removes the first issue's items, then stops
        raise RuntimeError("the Lambda died here")

    monkeypatch.setattr(company_deletion, "_issues", crash)
    assert api.delete(f"/api/companies/{world.cid}").status == 500
    assert api.get(f"/api/companies/{world.cid}").status == 404
    assert api.get("/api/agents/me", token=world.alice_key).status == 401  # agents went before the crash
    assert world.cid not in {c["id"] for c in api.get("/api/companies").json}
    assert _left_of(world.cid)  # half-way: issues, projects, … are still there
    monkeypatch.setattr(company_deletion, "_issues", real_issues_step)
    r = api.delete(f"/api/companies/{world.cid}")
    assert r.status == 200 and r.json == {"ok": True, "deletedCompanyId": world.cid}, r
    assert _left_of(world.cid) == {}
    assert api.get(f"/api/issues/{made['issue']['id']}").status == 404
