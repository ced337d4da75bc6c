"""POST /api/companies/{companyId}/issues (SPEC §4)."""
import uuid

from tests.helpers import create, make_world
from tests.issue_helpers import activity_actions, new_issue, queued_wakeups

ISSUE_KEYS = {
    "id", "companyId", "identifier", "title", "description", "status", "priority", "assigneeAgentId",
    "checkoutRunId", "projectId", "goalId", "parentId", "billingCode", "originKind", "originId", "originRunId",
    "startedAt", "completedAt", "cancelledAt", "createdAt", "updatedAt",
    # upstream's Issue fields (issue #14): with behaviour, or stored and returned as given
    "issueNumber", "workMode", "requestDepth", "assigneeUserId", "executionRunId", "createdByAgentId",
    "createdByUserId", "responsibleUserId", "blockedByIssueIds", "labelIds", "labels", "hiddenAt", "executionState",
    "projectWorkspaceId", "unblockDescriptor", "inheritExecutionWorkspaceFromIssueId", "harnessKind", "reviewPolicy",
    "assigneeAdapterOverrides", "executionPolicy", "executionWorkspaceId", "executionWorkspacePreference",
    "executionWorkspaceSettings", "watchdogDiscovery", "reviewInteractionId", "reviewRequest",
}


def test_defaults(api, world):
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "  Write the docs  "})
    assert r.status == 201, r
    issue = r.json
    assert set(issue) == ISSUE_KEYS
    assert uuid.UUID(issue["id"]).version == 4
    assert issue == {
        **issue,
        "companyId": world.cid, "identifier": "ACM-1", "title": "Write the docs", "description": None,
        "status": "backlog", "priority": "medium", "assigneeAgentId": None, "checkoutRunId": None,
        "projectId": None, "goalId": None, "parentId": None, "billingCode": None, "originKind": "manual",
        "originId": None, "originRunId": None, "startedAt": None, "completedAt": None, "cancelledAt": None,
        "createdAt": "2026-03-01T12:00:00.000Z", "updatedAt": "2026-03-01T12:00:00.000Z",
    }
    assert activity_actions(api, world, issue["id"]) == ["issue.created"]
    assert queued_wakeups(api, world.alice["id"]) == []


def test_all_fields_and_increasing_identifiers(api, world):
    parent = new_issue(api, world)
    body = {"title": "Implement caching layer", "description": "Add Redis caching for hot queries",
            "status": "todo", "priority": "high", "assigneeAgentId": world.alice["id"], "parentId": parent["id"],
            "projectId": world.project["id"], "goalId": world.goal["id"], "billingCode": "CC-7"}
    issue = create(api, f"/api/companies/{world.cid}/issues", body)
    assert issue["identifier"] == "ACM-2"
    assert {k: issue[k] for k in ("title", "description", "status", "priority", "assigneeAgentId", "parentId",
                                  "projectId", "goalId", "billingCode")} == {
        "title": "Implement caching layer", "description": "Add Redis caching for hot queries", "status": "todo",
        "priority": "high", "assigneeAgentId": world.alice["id"], "parentId": parent["id"],
        "projectId": world.project["id"], "goalId": world.goal["id"], "billingCode": "CC-7"}
    assert new_issue(api, world)["identifier"] == "ACM-3"


def test_parent_by_identifier_is_stored_as_id(api, world):
    parent = new_issue(api, world)
    child = new_issue(api, world, parentId=parent["identifier"].lower())
    assert child["parentId"] == parent["id"]


def test_assignee_defaults_status_to_todo_and_wakes(api, world):
    issue = new_issue(api, world, assigneeAgentId=world.alice["id"])
    assert issue["status"] == "todo"
    assert [(w["reason"], w["issueId"]) for w in queued_wakeups(api, world.alice["id"])] == [("issue_assigned", issue["id"])]
    assert queued_wakeups(api, world.bob["id"]) == []


def test_blocked_assigned_issue_wakes(api, world):
    issue = new_issue(api, world, assigneeAgentId=world.bob["id"], status="blocked")
    assert issue["status"] == "blocked"
    assert [w["reason"] for w in queued_wakeups(api, world.bob["id"])] == ["issue_assigned"]


def test_backlog_assigned_issue_does_not_wake(api, world):
    issue = new_issue(api, world, assigneeAgentId=world.alice["id"], status="backlog")
    assert issue["status"] == "backlog"
    assert queued_wakeups(api, world.alice["id"]) == []


def test_other_statuses_on_create_are_422(api, world):
    for status in ("in_progress", "in_review", "done", "cancelled"):
        r = api.post(f"/api/companies/{world.cid}/issues", {"title": "x", "status": status})
        assert r.status == 422, r
        assert r.json["details"] == {"status": status, "allowed": ["backlog", "todo", "blocked"]}
    # no number was burned by a refused create
    assert new_issue(api, world)["identifier"] == "ACM-1"


BAD_BODIES = [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 501}, "title"),
    ({"title": 5}, "title"),
    ({"title": "x", "description": "d" * 100_001}, "description"),
    ({"title": "x", "status": "doing"}, "status"),
    ({"title": "x", "priority": "urgent"}, "priority"),
    ({"title": "x", "runId": "r"}, "runId"),
    ({"title": "x", "assigneeAgentId": 7}, "assigneeAgentId"),
]


def test_bad_bodies_are_400(api, world):
    for body, field in BAD_BODIES:
        r = api.post(f"/api/companies/{world.cid}/issues", body)
        assert r.status == 400, (body, r)
        assert field in r.json["details"], (body, r)
    for raw in (b"[1]", b"{bad json", b'"str"'):
        r = api.post(f"/api/companies/{world.cid}/issues", raw=raw)
        assert r.status == 400, (raw, r)


def test_limits_are_inclusive(api, world):
    issue = new_issue(api, world, title="t" * 500, description="d" * 100_000)
    assert len(issue["title"]) == 500 and len(issue["description"]) == 100_000


def test_missing_references_are_404(api, world):
    for field, label in (("projectId", "Project"), ("goalId", "Goal"), ("parentId", "Parent issue"),
                         ("assigneeAgentId", "Assignee agent")):
        for value in (str(uuid.uuid4()), "not-an-id", "ACM-999"):
            r = api.post(f"/api/companies/{world.cid}/issues", {"title": "x", field: value})
            assert r.status == 404, (field, value, r)
            assert r.json == {"error": f"{label} not found", "details": {field: value}}


def test_references_of_another_company_are_422(api, world):
    other = make_world(api, "Globex")
    other_issue = create(api, f"/api/companies/{other.cid}/issues", {"title": "theirs"})
    for field, value in (("projectId", other.project["id"]), ("goalId", other.goal["id"]),
                         ("parentId", other_issue["id"]), ("assigneeAgentId", other.alice["id"])):
        r = api.post(f"/api/companies/{world.cid}/issues", {"title": "x", field: value})
        assert r.status == 422, (field, r)
        assert r.json["details"] == {field: value}


def test_terminated_assignee_is_409(api, world):
    assert api.post(f"/api/agents/{world.bob['id']}/terminate").status == 200
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "x", "assigneeAgentId": world.bob["id"]})
    assert r.status == 409, r
    assert r.json["details"] == {"agentId": world.bob["id"], "status": "terminated"}


def test_pending_approval_assignee_is_409(api, world):
    pending = create(api, f"/api/companies/{world.cid}/agents", {"name": "Newbie", "status": "pending_approval"})
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "x", "assigneeAgentId": pending["id"]})
    assert r.status == 409, r
    assert r.json["details"]["status"] == "pending_approval"


def test_agents_create_issues_in_their_company_only(api, world):
    other = make_world(api, "Globex")
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "mine"}, token=world.alice_key)
    assert r.status == 201, r
    r = api.post(f"/api/companies/{other.cid}/issues", {"title": "theirs"}, token=world.alice_key)
    assert r.status == 403, r


def test_unknown_company_is_404(api, world):
    r = api.post(f"/api/companies/{uuid.uuid4()}/issues", {"title": "x"})
    assert r.status == 404, r
    r = api.post(f"/api/companies/{uuid.uuid4()}/issues", {"title": "x", "projectId": world.project["id"]})
    assert r.status == 404, r


def test_board_user_needs_tasks_assign_to_assign(api, world):
    def board_user(perms):
        r = api.post("/api/board-users", {"name": "u", "memberships": {world.cid: perms}})
        assert r.status == 201, r
        return r.json["token"]

    viewer, assigner = board_user([]), board_user(["tasks:assign"])
    body = {"title": "x", "assigneeAgentId": world.alice["id"]}
    r = api.post(f"/api/companies/{world.cid}/issues", body, token=viewer)
    assert r.status == 403, r
    assert r.json["details"] == {"permission": "tasks:assign", "action": "issue.assign"}
    assert api.post(f"/api/companies/{world.cid}/issues", {"title": "x"}, token=viewer).status == 201
    assert api.post(f"/api/companies/{world.cid}/issues", body, token=assigner).status == 201
