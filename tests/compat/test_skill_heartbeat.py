"""The agent skill's heartbeat procedure (`skills/paperclip/SKILL.md` of @paperclipai/server 2026.916.1;
notes/skill.md §1), step by step, as an agent with a run JWT: the curl calls SKILL.md gives, with the
env the skill relies on, and the shipped `scripts/paperclip-upload-artifact.sh`.

Every write carries `X-Paperclip-Run-Id: $PAPERCLIP_RUN_ID` as SKILL.md demands; the upload script
sends it on reads too.
"""
import json
import subprocess

import pytest

from tests.compat import install
from tests.compat.clients import CLIENT_TIMEOUT_SEC
from tests.compat.world import World

SKILL_STATUSES = ["todo", "backlog", "blocked", "in_review"]  # SKILL.md Step 5's expectedStatuses


class Agent:
    """An agent's shell: the env a local adapter injects (SKILL.md "Authentication") and curl."""

    def __init__(self, service, board, agent, run_id, jwt, issue, tmp_path):
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path),
            "PAPERCLIP_API_URL": service, "PAPERCLIP_API_KEY": jwt, "PAPERCLIP_RUN_ID": run_id,
            "PAPERCLIP_AGENT_ID": agent["id"], "PAPERCLIP_COMPANY_ID": board.cid, "PAPERCLIP_TASK_ID": issue["id"],
        }
        self.jwt = jwt

    def sh(self, script: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", script], env=self.env, capture_output=True, text=True,
                              timeout=CLIENT_TIMEOUT_SEC)

    def curl(self, method: str, path: str, body=None, write: bool = True):
        """`curl -s -X METHOD "$PAPERCLIP_API_URL/api/…" -H "Authorization: Bearer $PAPERCLIP_API_KEY" …`;
        returns (status, parsed body)."""
        script = (f'curl -sS -w "\\n%{{http_code}}" -X {method} "$PAPERCLIP_API_URL{path}" '
                  '-H "Authorization: Bearer $PAPERCLIP_API_KEY"')
        if write:
            script += ' -H "X-Paperclip-Run-Id: $PAPERCLIP_RUN_ID"'
        if body is not None:
            script += " -H 'Content-Type: application/json' --data-binary @-"
        p = subprocess.run(["bash", "-c", script], env=self.env, input=json.dumps(body) if body is not None else "",
                           capture_output=True, text=True, timeout=CLIENT_TIMEOUT_SEC)
        assert p.returncode == 0, p.stderr
        text, _, status = p.stdout.rpartition("\n")
        assert self.jwt not in text, "the credential came back in a response body"
        return int(status), (json.loads(text) if text else None)


@pytest.fixture
def w(api, board):
    return World(api, board)


@pytest.fixture
def setup(service, board, w, tmp_path):
    alice = w.agent("Alice", role="engineer")
    goal, project = w.goal(), w.project()
    issue = w.issue("Fix the build", assigneeAgentId=alice["id"], goalId=goal["id"], projectId=project["id"])
    run_id, jwt = w.run(alice)
    agent = Agent(service, board, alice, run_id, jwt, issue, tmp_path)
    return alice, issue, goal, project, run_id, agent


def test_heartbeat_procedure(cli_installed, board, w, setup, tmp_path):
    alice, issue, goal, project, run_id, agent = setup
    iid = issue["id"]

    # Step 1: identity.
    status, me = agent.curl("GET", "/api/agents/me", write=False)
    assert status == 200 and me["id"] == alice["id"] and me["companyId"] == board.cid and me["role"] == "engineer"

    # Step 3 (fallback form): assignments.
    status, mine = agent.curl("GET", f"/api/companies/{board.cid}/issues?assigneeAgentId={alice['id']}"
                                     "&status=todo,in_progress,in_review,blocked", write=False)
    assert status == 200 and [i["id"] for i in mine] == [iid]

    # Step 5: checkout with the skill's body; a repeat in the same run "returns normally".
    body = {"agentId": alice["id"], "expectedStatuses": SKILL_STATUSES}
    status, out = agent.curl("POST", f"/api/issues/{iid}/checkout", body)
    assert status == 200 and out["status"] == "in_progress" and out["checkoutRunId"] == run_id
    assert agent.curl("POST", f"/api/issues/{iid}/checkout", body)[0] == 200

    # Step 6: the issue with its ancestors, and the full thread.
    status, full = agent.curl("GET", f"/api/issues/{iid}", write=False)
    assert status == 200 and full["goal"]["id"] == goal["id"] and full["project"]["id"] == project["id"]
    assert full["ancestors"] == []
    status, thread = agent.curl("GET", f"/api/issues/{iid}/comments", write=False)
    assert status == 200 and thread == []

    # Step 7: the plan document: create with baseRevisionId null, revise with the latest revision.
    plan = {"title": "Plan", "format": "markdown", "body": "# Plan\n\n1. fix", "baseRevisionId": None}
    status, doc = agent.curl("PUT", f"/api/issues/{iid}/documents/plan", plan)
    assert status == 201 and doc["key"] == "plan"
    status, current = agent.curl("GET", f"/api/issues/{iid}/documents/plan", write=False)
    assert status == 200 and current["body"] == "# Plan\n\n1. fix"
    stale = agent.curl("PUT", f"/api/issues/{iid}/documents/plan", {**plan, "body": "v2", "baseRevisionId": None})
    assert stale[0] == 409  # "Omitting it on an update returns 409"
    revised = {**plan, "body": "# Plan\n\n1. fix\n2. test", "baseRevisionId": current["latestRevisionId"]}
    status, doc = agent.curl("PUT", f"/api/issues/{iid}/documents/plan", revised)
    assert status == 200 and doc["latestRevisionId"] != current["latestRevisionId"]

    # Step 7: a generated file through the skill's upload script (attachment only).
    report = tmp_path / "report.md"
    report.write_text("# Report\n")
    script = install.skill_dir() / "scripts" / "paperclip-upload-artifact.sh"
    p = agent.sh(f'bash "{script}" "{report}" --no-work-product --output json')
    assert p.returncode == 0, p.stderr
    uploaded = json.loads(p.stdout)["attachment"]
    assert uploaded["originalFilename"] == "report.md" and uploaded["contentPath"] == f"/api/attachments/{uploaded['id']}/content"
    status, listed = agent.curl("GET", f"/api/issues/{iid}/attachments", write=False)
    assert [a["id"] for a in listed] == [uploaded["id"]]

    # Step 8: a comment, then done with a closing comment; the response echoes the new status.
    status, comment = agent.curl("POST", f"/api/issues/{iid}/comments", {"body": "Working on it."})
    assert status == 201 and comment["authorAgentId"] == alice["id"]

    # Step 9: delegate a subtask.
    sub = {"title": "Add a test", "description": "cover the fix", "assigneeAgentId": alice["id"], "parentId": iid,
           "goalId": goal["id"], "projectId": project["id"], "status": "todo", "priority": "high", "billingCode": "ENG"}
    status, child = agent.curl("POST", f"/api/companies/{board.cid}/issues", sub)
    assert status == 201 and child["parentId"] == iid and child["status"] == "todo"

    status, done = agent.curl("PATCH", f"/api/issues/{iid}", {"status": "done", "comment": "Fixed and tested."})
    assert status == 200 and done["status"] == "done"
    bodies = [c["body"] for c in agent.curl("GET", f"/api/issues/{iid}/comments", write=False)[1]]
    assert sorted(bodies) == ["Fixed and tested.", "Working on it."]


def test_release(cli_installed, setup):
    alice, issue, *_, agent = setup
    agent.curl("POST", f"/api/issues/{issue['id']}/checkout", {"agentId": alice["id"], "expectedStatuses": SKILL_STATUSES})
    status, out = agent.curl("POST", f"/api/issues/{issue['id']}/release")
    assert status == 200 and out["status"] == "todo" and out["assigneeAgentId"] is None


def test_run_scoped_writes_need_the_agents_own_run(cli_installed, w, setup):
    alice, issue, *_, run_id, agent = setup
    iid = issue["id"]
    agent.curl("POST", f"/api/issues/{iid}/checkout", {"agentId": alice["id"], "expectedStatuses": SKILL_STATUSES})
    # A run JWT carries its run: a PATCH that forgot the header is still the run's own.
    status, body = agent.curl("PATCH", f"/api/issues/{iid}", {"title": "x"}, write=False)
    assert status == 200 and body["title"] == "x"
    # An operator-set agent key (non-local adapters) without a run may not touch an in_progress issue.
    agent.env["PAPERCLIP_API_KEY"] = agent.jwt = w.key(alice)
    status, body = agent.curl("PATCH", f"/api/issues/{iid}", {"title": "y"}, write=False)
    assert status == 401 and body["error"] == "Agent run id required"
    # ... nor name another agent's run.
    bob = w.agent("Bob")
    bob_run, _ = w.run(bob)
    agent.env["PAPERCLIP_RUN_ID"] = bob_run
    status, body = agent.curl("PATCH", f"/api/issues/{iid}", {"title": "z"})
    assert status in (403, 409) and "error" in body
    assert w.get(f"/api/issues/{iid}")["title"] == "x"


def test_identity_carries_chain_of_command_and_budget(cli_installed, board, w, setup):
    alice, *_, agent = setup
    status, me = agent.curl("GET", "/api/agents/me", write=False)
    assert status == 200 and me["chainOfCommand"] == [] and me["budgetMonthlyCents"] == 0
    assert me["spentMonthlyCents"] == 0 and me["urlKey"] == "alice"


def test_inbox_lite(cli_installed, setup):
    alice, issue, *_, agent = setup
    status, rows = agent.curl("GET", "/api/agents/me/inbox-lite", write=False)
    assert status == 200 and [r["id"] for r in rows] == [issue["id"]]
    assert rows[0]["identifier"] == issue["identifier"] and rows[0]["activeRun"] is None


def test_heartbeat_context_and_single_comment(cli_installed, w, setup):
    alice, issue, goal, project, run_id, agent = setup
    comment = w.post(f"/api/issues/{issue['id']}/comments", {"body": "@Alice please look"})
    status, ctx = agent.curl("GET", f"/api/issues/{issue['id']}/heartbeat-context", write=False)
    assert status == 200 and ctx["issue"]["id"] == issue["id"] and ctx["goal"]["id"] == goal["id"]
    assert ctx["commentCursor"] == {"totalComments": 1, "latestCommentId": comment["id"],
                                    "latestCommentAt": comment["createdAt"]}


def test_wake_comment_read(cli_installed, w, setup):
    alice, issue, *_, agent = setup
    comment = w.post(f"/api/issues/{issue['id']}/comments", {"body": "@Alice please look"})
    status, got = agent.curl("GET", f"/api/issues/{issue['id']}/comments/{comment['id']}", write=False)
    assert status == 200 and got["body"] == "@Alice please look"


def test_incremental_comments(cli_installed, w, setup, clock):
    alice, issue, *_, agent = setup
    ids = w.comments(issue, 3, clock)
    status, newer = agent.curl("GET", f"/api/issues/{issue['id']}/comments?after={ids[0]}&order=asc", write=False)
    assert status == 200 and [c["id"] for c in newer] == ids[1:]


def test_resuming_own_in_progress_issue_from_a_new_run(cli_installed, board, w, setup):
    # Upstream adopts the agent's own stale checkout whatever expectedStatuses says (notes/skill.md §4.1);
    # the skill's list excludes in_progress and tells agents never to retry a 409.
    alice, issue, *_, run_id, agent = setup
    body = {"agentId": alice["id"], "expectedStatuses": SKILL_STATUSES}
    assert agent.curl("POST", f"/api/issues/{issue['id']}/checkout", body)[0] == 200
    w.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "succeeded"}, status=200)
    new_run, new_jwt = w.run(alice)
    agent.env.update(PAPERCLIP_API_KEY=new_jwt, PAPERCLIP_RUN_ID=new_run)
    agent.jwt = new_jwt
    status, out = agent.curl("POST", f"/api/issues/{issue['id']}/checkout", body)
    assert status == 200 and out["checkoutRunId"] == new_run


def test_delegation_with_blockers(cli_installed, board, w, setup):
    alice, issue, *_, agent = setup
    status, blocker = agent.curl("POST", f"/api/companies/{board.cid}/issues",
                                 {"title": "Blocker", "blockedByIssueIds": [], "parentId": issue["id"]})
    assert status == 201
    status, blocked = agent.curl("PATCH", f"/api/issues/{issue['id']}", {"blockedByIssueIds": [blocker["id"]]})
    assert status == 200 and [b["id"] for b in blocked["blockedBy"]] == [blocker["id"]]


def test_upload_artifact_script_default_creates_a_work_product(cli_installed, setup, tmp_path):
    alice, issue, *_, agent = setup
    agent.curl("POST", f"/api/issues/{issue['id']}/checkout", {"agentId": alice["id"], "expectedStatuses": SKILL_STATUSES})
    report = tmp_path / "report.md"
    report.write_text("# Report\n")
    script = install.skill_dir() / "scripts" / "paperclip-upload-artifact.sh"
    p = agent.sh(f'bash "{script}" "{report}" --title Report --output json')
    assert agent.jwt not in p.stderr, "the credential was printed into the agent's transcript"
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["workProduct"]["type"] == "artifact" and out["workProduct"]["metadata"]["attachmentId"] == out["attachment"]["id"]
    # A rerun in the same run reuses the upload (originatingRunId + sha256), never a duplicate.
    again = json.loads(agent.sh(f'bash "{script}" "{report}" --title Report --output json').stdout)
    assert again["attachment"]["id"] == out["attachment"]["id"]
