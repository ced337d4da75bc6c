"""paperclip-mcp 0.2.1's tools over stdio (notes/mcp.md §4), with a board token and with an agent key.

The tool sends a fresh random `X-Paperclip-Run-Id` on every request (notes/mcp.md §3): reads must
ignore it and nothing may be attributed to it. HTTP failures come back as ordinary tool results with
`isError`/`status` (§3), so each test checks the tool's JSON, not only a status.
"""
import pytest

from tests.compat.clients import mcp_session
from tests.compat.world import World

TOOLS = sorted([
    "list_issues", "get_issue", "create_issue", "update_issue", "checkout_issue", "release_issue",
    "comment_on_issue", "delete_issue", "list_agents", "get_agent", "invoke_agent_heartbeat", "list_goals",
    "create_goal", "update_goal", "list_approvals", "approve", "reject", "request_approval_revision",
    "get_cost_summary", "get_dashboard", "list_activity",
])


@pytest.fixture
def w(api, board):
    return World(api, board)


@pytest.fixture
def alice(w):
    agent = w.agent()
    return agent, w.key(agent)


@pytest.fixture(params=["board", "agent"])
def credential(request, board, alice):
    return board.token if request.param == "board" else alice[1]


def run(service, board, credential, *calls):
    return mcp_session(service, board.cid, credential, list(calls))


def assert_ok(result):
    assert not result.protocol_error and not result.failed, (result.name, result.data)
    return result.data


def test_issue_tools(mcp_installed, service, board, w, alice, credential):
    agent, _ = alice
    existing = w.issue("Fix the build", assigneeAgentId=agent["id"])
    tools, (listed, mine, got, created, updated, commented) = run(
        service, board, credential,
        ("list_issues", {}),
        ("list_issues", {"status": "todo", "assignee_agent_id": agent["id"], "limit": 10}),
        ("get_issue", {"issue_id": existing["identifier"]}),
        ("create_issue", {"title": "From MCP", "description": "d", "priority": "high"}),
        ("update_issue", {"issue_id": existing["identifier"], "title": "Renamed", "priority": "low"}),
        ("comment_on_issue", {"issue_id": existing["id"], "body": "hello"}),
    )
    assert tools == TOOLS
    assert [i["id"] for i in assert_ok(listed)] == [existing["id"]]  # default status todo,in_progress
    assert [i["id"] for i in assert_ok(mine)] == [existing["id"]]
    assert assert_ok(got)["id"] == existing["id"]
    new = assert_ok(created)
    assert new["title"] == "From MCP" and new["priority"] == "high" and new["status"] == "backlog"
    assert assert_ok(updated)["title"] == "Renamed"
    assert assert_ok(commented)["body"] == "hello"
    # Nothing was attributed to the tool's random run ids.
    for entry in w.get(f"/api/companies/{board.cid}/activity"):
        assert entry.get("runId") is None, entry


def test_release_issue_as_the_board(mcp_installed, service, board, w, alice):
    agent, _ = alice
    issue = w.issue(assigneeAgentId=agent["id"])
    run_id, jwt = w.run(agent)
    w.checkout(issue, agent, run_id, jwt)
    _, (released,) = run(service, board, board.token, ("release_issue", {"issue_id": issue["id"]}))
    out = assert_ok(released)
    assert out["status"] == "todo" and out["assigneeAgentId"] is None


def test_checkout_issue_cannot_work_and_says_why(mcp_installed, service, board, w, credential):
    # The tool posts no body; upstream's checkoutIssueSchema needs agentId + expectedStatuses too
    # (notes/mcp.md §4.5): a 400 naming both, on any Paperclip.
    issue = w.issue()
    _, (result,) = run(service, board, credential, ("checkout_issue", {"issue_id": issue["id"]}))
    assert result.failed and result.status == 400 and "agentId" in result.data["message"], result.data


def test_create_issue_with_a_parent(mcp_installed, service, board, w, credential):
    parent = w.issue("Parent")
    _, (created,) = run(service, board, credential, ("create_issue", {"title": "Child", "parent_issue_id": parent["id"]}))
    assert assert_ok(created)["parentId"] == parent["id"]


def test_comment_with_reopen_as_the_board(mcp_installed, service, board, w):
    issue = w.issue()
    assert w.api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled"}, token=board.token).status == 200
    _, (commented,) = run(service, board, board.token,
                          ("comment_on_issue", {"issue_id": issue["id"], "body": "again", "reopen": True}))
    assert assert_ok(commented)["body"] == "again"
    assert w.get(f"/api/issues/{issue['id']}")["status"] == "todo"


def test_agent_cannot_reopen_a_cancelled_issue_with_reopen_alone(mcp_installed, service, board, w, alice):
    # As upstream (assertExplicitResumeIntentAllowed): an agent's `reopen` without `resume` cannot revive a
    # cancelled issue, even its own; the tool gets the 409 and the issue stays cancelled.
    agent, key = alice
    issue = w.issue(assigneeAgentId=agent["id"])
    assert w.api.patch(f"/api/issues/{issue['id']}", {"status": "cancelled"}, token=board.token).status == 200
    _, (commented,) = run(service, board, key,
                          ("comment_on_issue", {"issue_id": issue["id"], "body": "again", "reopen": True}))
    assert commented.failed and commented.status == 409, commented.data
    assert w.get(f"/api/issues/{issue['id']}")["status"] == "cancelled"
    # paperclip-mcp replaces every 409's body by its own "Conflict (409)" text; the server's reason:
    direct = w.api.post(f"/api/issues/{issue['id']}/comments", {"body": "again", "reopen": True}, token=key)
    assert direct.status == 409 and "restore flow" in direct.json["error"], direct


def test_delete_issue(mcp_installed, service, board, w, credential):
    issue = w.issue()
    _, (deleted,) = run(service, board, credential, ("delete_issue", {"issue_id": issue["id"]}))
    assert_ok(deleted)
    assert w.api.get(f"/api/issues/{issue['id']}", token=board.token).status == 404


def test_agent_tools_as_the_board(mcp_installed, service, board, alice):
    agent, _ = alice
    _, (listed, got, me, invoked) = run(
        service, board, board.token,
        ("list_agents", {}), ("get_agent", {"agent_id": agent["id"]}), ("get_agent", {}),
        ("invoke_agent_heartbeat", {"agent_id": agent["id"]}),
    )
    assert [a["id"] for a in assert_ok(listed)] == [agent["id"]]
    assert assert_ok(got)["name"] == "Alice"
    assert me.failed and me.status in (401, 403), me.data  # /agents/me is for agents (upstream 401)
    assert assert_ok(invoked)


def test_agent_tools_with_the_agents_key(mcp_installed, service, board, alice):
    agent, key = alice
    _, (listed, me, invoked) = run(
        service, board, key,
        ("list_agents", {}), ("get_agent", {"agent_id": "me"}), ("invoke_agent_heartbeat", {"agent_id": agent["id"]}),
    )
    assert [a["id"] for a in assert_ok(listed)] == [agent["id"]]
    assert assert_ok(me)["id"] == agent["id"]
    assert assert_ok(invoked)


def test_goal_and_activity_tools(mcp_installed, service, board, w, credential):
    goal = w.goal()
    _, (listed, created, updated, activity) = run(
        service, board, credential,
        ("list_goals", {}), ("create_goal", {"title": "Ship", "description": "v1"}),
        ("update_goal", {"goal_id": goal["id"], "title": "Grow more"}),
        ("list_activity", {"limit": 5}),
    )
    assert [g["id"] for g in assert_ok(listed)] == [goal["id"]]
    assert assert_ok(created)["title"] == "Ship"
    assert assert_ok(updated)["title"] == "Grow more"
    actions = [e["action"] for e in assert_ok(activity)]
    assert "goal.created" in actions and len(actions) <= 5


def test_tools_we_do_not_serve_answer_404_without_echoing_the_credential(mcp_installed, service, board, credential):
    some_id = "00000000-0000-4000-8000-000000000000"
    _, results = run(
        service, board, credential,
        ("list_approvals", {}), ("approve", {"approval_id": some_id, "comment": "ok"}),
        ("reject", {"approval_id": some_id}), ("request_approval_revision", {"approval_id": some_id, "comment": "more"}),
        ("get_cost_summary", {}), ("get_dashboard", {}),
    )
    for result in results:
        assert result.failed and result.status == 404, (result.name, result.data)
        assert credential not in result.text and "Bearer" not in result.text, result.text
