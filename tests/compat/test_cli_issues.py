"""`paperclipai issue …` (notes/cli.md §7): board commands with the board token, run-scoped ones as the
agent with its run JWT in PAPERCLIP_API_KEY and the run in PAPERCLIP_RUN_ID, as the skill's agents do."""
import json

import pytest

from tests.compat.world import World


@pytest.fixture
def w(api, board):
    return World(api, board)


def test_issue_create_with_the_cli_defaults(cli, board, w):
    # createIssueSchema.parse always adds workMode, requestDepth, allowDuplicate.
    created = cli.ok("issue", "create", "-C", board.cid, "--title", "Hello world")
    assert created["title"] == "Hello world" and created["status"] == "backlog"
    assert created["identifier"] == f"{board.prefix}-1"
    alice, project, goal = w.agent(), w.project(), w.goal()
    full = cli.ok("issue", "create", "-C", board.cid, "--title", "T", "--description", "line1\\nline2",
                  "--priority", "high", "--assignee-agent-id", alice["id"], "--project-id", project["id"],
                  "--goal-id", goal["id"], "--parent-id", created["id"], "--request-depth", "3",
                  "--billing-code", "BC")
    assert full["status"] == "todo" and full["description"] == "line1\nline2" and full["parentId"] == created["id"]
    assert full["requestDepth"] == 3 and full["billingCode"] == "BC"


def test_issue_list_get_and_match(cli, board, w):
    alice = w.agent()
    first = w.issue("Fix the build", assigneeAgentId=alice["id"])
    second = w.issue("Write docs")
    listed = cli.ok("issue", "list", "-C", board.cid, "--status", "todo,backlog")
    assert sorted(i["id"] for i in listed) == sorted([first["id"], second["id"]])
    assert [i["id"] for i in cli.ok("issue", "list", "-C", board.cid, "--status", "backlog")] == [second["id"]]
    mine = cli.ok("issue", "list", "-C", board.cid, "--assignee-agent-id", alice["id"])
    assert [i["id"] for i in mine] == [first["id"]]
    # --match filters client-side on identifier/title/description.
    assert [i["id"] for i in cli.ok("issue", "list", "-C", board.cid, "--match", "BUILD")] == [first["id"]]
    got = cli.ok("issue", "get", first["identifier"])
    assert got["id"] == first["id"] and got["title"] == "Fix the build"


def test_issue_update_and_comment(cli, w):
    issue = w.issue()
    updated = cli.ok("issue", "update", issue["id"], "--title", "Renamed", "--priority", "high",
                     "--status", "todo", "--comment", "line\\nbreak")
    assert updated["title"] == "Renamed" and updated["priority"] == "high" and updated["status"] == "todo"
    comment = cli.ok("issue", "comment", issue["id"], "--body", "hi")
    assert comment["body"] == "hi" and comment["issueId"] == issue["id"]
    bodies = [c["body"] for c in w.get(f"/api/issues/{issue['id']}/comments")]
    assert sorted(bodies) == ["hi", "line\nbreak"]


def test_issue_update_with_request_depth_and_hidden_at(cli, w):
    issue = w.issue()
    updated = cli.ok("issue", "update", issue["id"], "--request-depth", "2", "--hidden-at", "null")
    assert updated["requestDepth"] == 2 and updated["hiddenAt"] is None


def test_issue_comment_with_reopen_resume_and_attachments(cli, board, w, tmp_path):
    # `resume` is refused (409) on a backlog issue, as upstream (isExplicitResumeCapableStatus): the
    # flags are for a closed issue, which the comment moves back to todo.
    issue = w.issue()
    assert w.api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled"}, token=board.token).status == 200
    note = tmp_path / "note.txt"
    note.write_text("hello")
    attachment = cli.ok("issue", "attachment:upload", issue["id"], "-C", board.cid, "--file", str(note))
    comment = cli.ok("issue", "comment", issue["id"], "--body", "see file", "--attachment-id", attachment["id"],
                     "--reopen", "--resume")
    assert comment["body"] == "see file"
    bound = {a["id"]: a["issueCommentId"] for a in w.get(f"/api/issues/{issue['id']}/attachments")}
    assert bound == {attachment["id"]: comment["id"]}
    assert w.get(f"/api/issues/{issue['id']}")["status"] == "todo"


def test_issue_comments_newest_first_and_incremental(cli, w, clock):
    issue = w.issue()
    ids = w.comments(issue, 3, clock)
    assert [c["id"] for c in cli.ok("issue", "comments", issue["id"])] == ids[::-1]
    after = cli.ok("issue", "comments", issue["id"], "--after-comment-id", ids[0], "--order", "asc")
    assert [c["id"] for c in after] == ids[1:]
    assert [c["id"] for c in cli.ok("issue", "comments", issue["id"], "--limit", "1")] == [ids[2]]


def test_issue_comment_get(cli, w):
    issue = w.issue()
    comment = w.post(f"/api/issues/{issue['id']}/comments", {"body": "one"})
    assert cli.ok("issue", "comment:get", issue["id"], comment["id"])["body"] == "one"


def test_checkout_and_release_as_the_agent_in_its_run(cli, w):
    alice = w.agent()
    issue = w.issue(assigneeAgentId=alice["id"])
    run_id, jwt = w.run(alice)
    agent = cli.as_(jwt, run_id)
    out = agent.ok("issue", "checkout", issue["id"], "--agent-id", alice["id"])
    assert out["status"] == "in_progress" and out["assigneeAgentId"] == alice["id"] and out["checkoutRunId"] == run_id
    released = agent.ok("issue", "release", issue["id"])
    assert released["status"] == "todo"


def test_board_checkout_on_behalf_of_an_agent_with_its_run(cli, w):
    alice = w.agent()
    issue = w.issue()
    run_id, _ = w.run(alice)
    out = cli.as_(cli.api_key, run_id).ok("issue", "checkout", issue["id"], "--agent-id", alice["id"])
    assert out["status"] == "in_progress" and out["assigneeAgentId"] == alice["id"]


def test_board_checkout_without_a_run(cli, w):
    # Upstream accepts it (checkoutRunId null); the CLI sends no run header without PAPERCLIP_RUN_ID.
    alice = w.agent()
    issue = w.issue()
    out = cli.ok("issue", "checkout", issue["id"], "--agent-id", alice["id"])
    assert out["status"] == "in_progress" and out["assigneeAgentId"] == alice["id"]


def test_documents_put_get_revise_list_and_delete(cli, w, tmp_path):
    issue = w.issue()
    doc = cli.ok("issue", "document:put", issue["id"], "plan", "--title", "Plan", "--body", "# Plan",
                 "--change-summary", "first")
    assert doc["key"] == "plan" and doc["body"] == "# Plan"
    body = tmp_path / "plan.md"
    body.write_text("# Plan v2\n")
    revised = cli.ok("issue", "document:put", issue["id"], "plan", "--body-file", str(body),
                     "--base-revision-id", doc["latestRevisionId"])
    assert revised["body"] == "# Plan v2\n" and revised["latestRevisionId"] != doc["latestRevisionId"]
    assert cli.ok("issue", "document:get", issue["id"], "plan")["body"] == "# Plan v2\n"
    assert len(cli.ok("issue", "document:revisions", issue["id"], "plan")) == 2
    assert [d["key"] for d in cli.ok("issue", "documents", issue["id"])] == ["plan"]
    stale = cli("issue", "document:put", issue["id"], "plan", "--body", "x", "--base-revision-id", doc["latestRevisionId"])
    assert stale.code == 1 and stale.error.startswith("API error 409"), stale
    assert cli("issue", "document:delete", issue["id"], "plan").code == 0
    assert cli.ok("issue", "documents", issue["id"]) == []


def test_attachments_upload_list_download_delete(cli, board, w, tmp_path):
    issue = w.issue()
    note = tmp_path / "notes.md"
    note.write_text("# Notes\n")
    up = cli.ok("issue", "attachment:upload", issue["id"], "-C", board.cid, "--file", str(note))
    assert up["originalFilename"] == "notes.md" and up["contentType"].startswith("text/markdown")
    assert [a["id"] for a in cli.ok("issue", "attachments", issue["id"])] == [up["id"]]
    out = tmp_path / "copy.md"
    got = cli.ok("issue", "attachment:download", up["id"], "--out", str(out))
    assert out.read_text() == "# Notes\n" and got["bytes"] == 8
    assert cli("issue", "attachment:delete", up["id"]).code == 0
    assert cli.ok("issue", "attachments", issue["id"]) == []


def test_issue_delete(cli, w):
    issue = w.issue()
    assert cli("issue", "delete", issue["id"], "--yes").code == 0
    assert cli.fails("issue", "get", issue["id"]).error.startswith("API error 404")


def test_issue_heartbeat_context(cli, w):
    issue = w.issue()
    ctx = cli.ok("issue", "heartbeat-context", issue["id"])
    assert ctx["issue"]["id"] == issue["id"] and ctx["commentCursor"]["totalComments"] == 0


def test_issue_work_products(cli, w):
    issue = w.issue()
    payload = {"type": "pull_request", "provider": "github", "title": "PR 1", "url": "https://example.invalid/pull/1"}
    created = cli.ok("issue", "work-product:create", issue["id"], "--payload-json", json.dumps(payload))
    assert created["status"] == "active" and created["issueId"] == issue["id"]
    assert [p["id"] for p in cli.ok("issue", "work-products", issue["id"])] == [created["id"]]
    updated = cli.ok("issue", "work-product:update", created["id"], "--payload-json", json.dumps({"status": "merged"}))
    assert updated["status"] == "merged"
    assert cli("issue", "work-product:delete", created["id"]).code == 0


def test_issue_runs_and_active_run(cli, w):
    alice = w.agent()
    issue = w.issue(assigneeAgentId=alice["id"])
    run_id, jwt = w.run(alice)
    w.checkout(issue, alice, run_id, jwt)
    # Upstream names the run `runId` in this list (not `id`: notes/validators.md §11).
    assert [r["runId"] for r in cli.ok("issue", "runs", issue["id"])] == [run_id]
    assert cli.ok("issue", "active-run", issue["id"])["id"] == run_id
    assert [r["id"] for r in cli.ok("issue", "live-runs", issue["id"])] == [run_id]
