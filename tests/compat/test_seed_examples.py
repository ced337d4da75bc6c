"""Every example of ../shared/seeds/*.txt, as the README promises they run against `make run`
(AUTH_MODE=local_trusted, no token): bodies copied verbatim from the seed, with only the substitutions
the README names (ids for `{placeholders}` and `company-1`/`agent-1`/… names, real secrets for
`<webhook-secret>`, the `// optional` remarks of routines-skill-reference.txt removed, the
`Authorization: Bearer <board-token>` header of routines-guide.txt dropped: the local board needs none).
The examples of one file run in the order the seed gives them, except where noted.
"""
from __future__ import annotations

import pytest
from urllib3.filepost import encode_multipart_formdata

from tests.helpers import make_world


@pytest.fixture
def seeded(api):
    w = make_world(api)
    run = api.post(f"/api/agents/{w.alice['id']}/heartbeat/invoke")
    assert run.status == 200, run
    w.run_id = run.json["run"]["id"]
    return w


def ok(response, status=200):
    assert response.status == status, response
    return response.json


def test_issues_api_examples(api, seeded):
    w = seeded
    aid, cid = w.alice["id"], w.cid
    parent = ok(api.post(f"/api/companies/{cid}/issues", {"title": "Parent"}), 201)

    # List Issues (status comma-separated, assigneeAgentId, projectId).
    ok(api.get(f"/api/companies/{cid}/issues?status=todo,in_progress&assigneeAgentId={aid}&projectId={w.project['id']}"))

    # Create Issue.
    issue = ok(api.post(f"/api/companies/{cid}/issues", {
        "title": "Implement caching layer",
        "description": "Add Redis caching for hot queries",
        "status": "todo",
        "priority": "high",
        "assigneeAgentId": aid,
        "parentId": parent["id"],
        "projectId": w.project["id"],
        "goalId": w.goal["id"],
    }), 201)
    iid = issue["id"]

    # Get Issue: project, goal, ancestors, planDocument, documentSummaries, legacyPlanDocument.
    got = ok(api.get(f"/api/issues/{iid}"))
    assert [a["id"] for a in got["ancestors"]] == [parent["id"]]
    assert {"project", "goal", "planDocument", "documentSummaries", "legacyPlanDocument"} <= set(got)

    # Checkout (the seed's order puts Update first; a `status: done` from `todo` is a transition our
    # lifecycle refuses (SPEC §4), so the Update example runs after the checkout, as agents run it).
    out = ok(api.post(f"/api/issues/{iid}/checkout", {"agentId": aid, "expectedStatuses": ["todo", "backlog", "blocked"]},
                      run_id=w.run_id))
    assert out["status"] == "in_progress"

    # Re-claiming after a crashed run: the previous run is no longer active, a new run adopts it.
    ok(api.post(f"/api/heartbeat-runs/{w.run_id}/finish", {"status": "failed"}))
    new_run = ok(api.post(f"/api/agents/{aid}/heartbeat/invoke"))["run"]["id"]
    out = ok(api.post(f"/api/issues/{iid}/checkout", {"agentId": aid, "expectedStatuses": ["in_progress"]}, run_id=new_run))
    assert out["checkoutRunId"] == new_run

    # Comments.
    ok(api.post(f"/api/issues/{iid}/comments", {"body": "Progress update in markdown..."}), 201)
    assert [c["body"] for c in ok(api.get(f"/api/issues/{iid}/comments"))] == ["Progress update in markdown..."]

    # Documents: create (omit baseRevisionId), update with the latest revision, list, get, revisions, delete.
    doc = ok(api.put(f"/api/issues/{iid}/documents/plan", {
        "title": "Implementation plan",
        "format": "markdown",
        "body": "# Plan\n\n...",
    }), 201)
    ok(api.put(f"/api/issues/{iid}/documents/plan", {
        "title": "Implementation plan",
        "format": "markdown",
        "body": "# Plan\n\n...",
        "baseRevisionId": doc["latestRevisionId"],
    }))
    stale = api.put(f"/api/issues/{iid}/documents/plan", {"title": "Implementation plan", "format": "markdown",
                                                           "body": "# Plan\n\n...", "baseRevisionId": doc["latestRevisionId"]})
    assert stale.status == 409  # "stale baseRevisionId returns 409 Conflict"
    assert [d["key"] for d in ok(api.get(f"/api/issues/{iid}/documents"))] == ["plan"]
    ok(api.get(f"/api/issues/{iid}/documents/plan"))
    assert len(ok(api.get(f"/api/issues/{iid}/documents/plan/revisions"))) == 2

    # Attachments: upload (multipart), list, download, delete.
    body, ctype = encode_multipart_formdata({"file": ("notes.txt", b"hello", "text/plain")})
    att = ok(api.post(f"/api/companies/{cid}/issues/{iid}/attachments", raw=body, headers={"Content-Type": ctype}), 201)
    assert [a["id"] for a in ok(api.get(f"/api/issues/{iid}/attachments"))] == [att["id"]]
    assert api.get(f"/api/attachments/{att['id']}/content").body == b"hello"
    assert api.delete(f"/api/attachments/{att['id']}").status == 204

    # Update Issue (with the run header and the optional comment).
    done = ok(api.patch(f"/api/issues/{iid}", {"status": "done", "comment": "Implemented caching with 90% hit rate."},
                        run_id=new_run))
    assert done["status"] == "done" and done["completedAt"]
    assert api.delete(f"/api/issues/{iid}/documents/plan").status == 204  # board-only

    # Release (a second issue: releasing is for held work).
    other = ok(api.post(f"/api/companies/{cid}/issues", {"title": "Other", "assigneeAgentId": aid}), 201)
    ok(api.post(f"/api/issues/{other['id']}/checkout", {"agentId": aid, "expectedStatuses": ["todo"]}, run_id=new_run))
    assert ok(api.post(f"/api/issues/{other['id']}/release"))["status"] == "todo"


def test_routines_api_examples(api, seeded):
    w = seeded
    routine = ok(api.post(f"/api/companies/{w.cid}/routines", {
        "title": "Weekly CEO briefing",
        "description": "Compile status report and email Founder",
        "assigneeAgentId": w.alice["id"],
        "projectId": w.project["id"],
        "goalId": w.goal["id"],
        "priority": "medium",
        "status": "active",
        "concurrencyPolicy": "coalesce_if_active",
        "catchUpPolicy": "skip_missed",
    }), 201)
    rid = routine["id"]
    assert [r["id"] for r in ok(api.get(f"/api/companies/{w.cid}/routines"))] == [rid]
    assert "triggers" in ok(api.get(f"/api/routines/{rid}"))
    assert ok(api.patch(f"/api/routines/{rid}", {"status": "paused"}))["status"] == "paused"

    schedule = ok(api.post(f"/api/routines/{rid}/triggers",
                           {"kind": "schedule", "cronExpression": "0 9 * * 1", "timezone": "Europe/Amsterdam"}), 201)["trigger"]
    hook = ok(api.post(f"/api/routines/{rid}/triggers",
                       {"kind": "webhook", "signingMode": "hmac_sha256", "replayWindowSec": 300}), 201)
    assert hook["secretMaterial"]["webhookSecret"]
    api_trigger = ok(api.post(f"/api/routines/{rid}/triggers", {"kind": "api"}), 201)["trigger"]
    updated = ok(api.patch(f"/api/routine-triggers/{schedule['id']}", {"enabled": False, "cronExpression": "0 10 * * 1"}))
    assert updated["enabled"] is False and updated["cronExpression"] == "0 10 * * 1"
    assert api.delete(f"/api/routine-triggers/{schedule['id']}").status == 204
    rotated = ok(api.post(f"/api/routine-triggers/{hook['trigger']['id']}/rotate-secret"))
    assert rotated["secretMaterial"]["webhookSecret"] != hook["secretMaterial"]["webhookSecret"]

    # Manual Run (the routine is still paused: paused routines may be run by hand). The triggerId must
    # be an enabled trigger of this routine (else 403/409, as the seed says): the api trigger.
    run = ok(api.post(f"/api/routines/{rid}/run", {
        "source": "manual",
        "triggerId": api_trigger["id"],
        "payload": {"context": "..."},
        "idempotencyKey": "my-unique-key",
    }), 202)
    assert run["triggerId"] == api_trigger["id"]
    assert [r["id"] for r in ok(api.get(f"/api/routines/{rid}/runs?limit=50"))] == [run["id"]]


def test_routines_guide_examples(api, seeded):
    w = seeded
    ok(api.get(f"/api/companies/{w.cid}/routines"))
    routine = ok(api.post(f"/api/companies/{w.cid}/routines", {
        "title": "Weekly CEO briefing for {{company_name}}",
        "description": "Compile a weekly summary and prepare the next priorities.",
        "assigneeAgentId": w.alice["id"],
        "projectId": w.project["id"],
        "goalId": w.goal["id"],
        "priority": "medium",
        "status": "active",
        "concurrencyPolicy": "coalesce_if_active",
        "catchUpPolicy": "skip_missed",
        "variables": [
            {
                "name": "company_name",
                "label": "Company name",
                "type": "text",
                "required": True,
                "defaultValue": "Paperclip",
            }
        ],
    }), 201)
    rid = routine["id"]
    ok(api.get(f"/api/routines/{rid}"))
    ok(api.post(f"/api/routines/{rid}/triggers", {"kind": "schedule", "label": "Monday morning", "enabled": True,
                                                  "cronExpression": "0 9 * * 1", "timezone": "Europe/Amsterdam"}), 201)
    ok(api.post(f"/api/routines/{rid}/triggers", {"kind": "webhook", "label": "Stripe event bridge", "enabled": True,
                                                  "signingMode": "bearer", "replayWindowSec": 300}), 201)
    ok(api.post(f"/api/routines/{rid}/triggers", {"kind": "api"}), 201)
    hook = ok(api.post(f"/api/routines/{rid}/triggers", {
        "kind": "webhook",
        "label": "Webhook intake",
        "enabled": True,
        "signingMode": "bearer",
    }), 201)
    assert set(hook["secretMaterial"]) == {"webhookUrl", "webhookSecret"}

    run = ok(api.post(f"/api/routines/{rid}/run", {
        "source": "manual",
        "payload": {
            "context": "Run a one-off briefing",
        },
        "idempotencyKey": "briefing-2026-04-15",
    }), 202)
    assert run["status"] in ("issue_created", "coalesced")

    public_id = hook["trigger"]["publicId"]
    fired = ok(api.post(f"/api/routine-triggers/public/{public_id}/fire", {
        "payload": {
            "source": "stripe",
            "event": "invoice.paid",
        }
    }, headers={"Authorization": f"Bearer {hook['secretMaterial']['webhookSecret']}"}), 202)
    assert fired["source"] == "webhook"
    runs = ok(api.get(f"/api/routines/{rid}/runs?limit=50"))
    assert {"status", "source", "triggerId", "triggerPayload", "linkedIssueId", "coalescedIntoRunId",
            "failureReason", "completedAt"} <= set(runs[0])


def test_routines_skill_reference_examples(api, seeded):
    w = seeded
    parent = ok(api.post(f"/api/companies/{w.cid}/issues", {"title": "Briefings"}), 201)
    routine = ok(api.post(f"/api/companies/{w.cid}/routines", {
        "title": "Weekly CEO briefing",
        "description": "Compile status report and post to Slack",
        "assigneeAgentId": w.alice["id"],
        "projectId": w.project["id"],
        "goalId": w.goal["id"],
        "parentIssueId": parent["id"],
        "priority": "medium",
        "status": "active",
        "concurrencyPolicy": "coalesce_if_active",
        "catchUpPolicy": "skip_missed",
    }), 201)
    rid = routine["id"]
    schedule = ok(api.post(f"/api/routines/{rid}/triggers",
                           {"kind": "schedule", "cronExpression": "0 9 * * 1", "timezone": "Europe/Amsterdam"}), 201)["trigger"]
    assert schedule["nextRunAt"]
    hook = ok(api.post(f"/api/routines/{rid}/triggers",
                       {"kind": "webhook", "signingMode": "hmac_sha256", "replayWindowSec": 300}), 201)
    ok(api.post(f"/api/routines/{rid}/triggers", {"kind": "api"}), 201)
    ok(api.patch(f"/api/routine-triggers/{schedule['id']}", {"enabled": False, "cronExpression": "0 10 * * 1"}))
    ok(api.post(f"/api/routine-triggers/{hook['trigger']['id']}/rotate-secret"))
    run = ok(api.post(f"/api/routines/{rid}/run", {
        "source": "manual",
        "triggerId": hook["trigger"]["id"],
        "payload": {"context": "..."},
        "idempotencyKey": "unique-key",
    }), 202)
    issue = ok(api.get(f"/api/issues/{run['linkedIssueId']}"))
    assert issue["parentId"] == parent["id"]
    assert api.delete(f"/api/routine-triggers/{schedule['id']}").status == 204
    updated = ok(api.patch(f"/api/routines/{rid}", {"status": "paused", "title": "New title"}))
    assert updated["status"] == "paused" and updated["title"] == "New title"
    ok(api.get(f"/api/companies/{w.cid}/routines"))
    ok(api.get(f"/api/routines/{rid}"))
    assert len(ok(api.get(f"/api/routines/{rid}/runs?limit=50"))) == 1
