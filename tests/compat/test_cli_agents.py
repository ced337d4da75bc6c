"""`paperclipai agent …`, `token agent …` and the prompt helpers (notes/cli.md §4)."""
import json

from tests.compat.world import World


def test_agent_list_and_get(cli, board, api):
    alice = World(api, board).agent()
    assert [a["name"] for a in cli.ok("agent", "list", "-C", board.cid)] == ["Alice"]
    assert cli.ok("agent", "get", alice["id"])["name"] == "Alice"


def test_agent_create_sends_upstream_defaults(cli, board):
    # createAgentSchema.parse adds role, adapterType, adapterConfig, runtimeConfig, budgetMonthlyCents.
    bob = cli.ok("agent", "create", "-C", board.cid, "--payload-json", json.dumps({"name": "Bob"}))
    assert bob["name"] == "Bob" and bob["role"] == "general"
    assert bob["adapterType"] == "process" and bob["adapterConfig"] == {} and bob["budgetMonthlyCents"] == 0


def test_agent_update_with_upstream_fields(cli, board, api):
    alice = World(api, board).agent()
    out = cli.ok("agent", "update", alice["id"], "--payload-json", json.dumps({"title": "Lead", "status": "paused"}))
    assert out["title"] == "Lead" and out["status"] == "paused"


def test_agent_update_title(cli, board, api):
    alice = World(api, board).agent()
    assert cli.ok("agent", "update", alice["id"], "--payload-json", json.dumps({"title": "Lead"}))["title"] == "Lead"


def test_agent_lifecycle_and_manual_heartbeat(cli, board, api):
    alice = World(api, board).agent()
    assert cli.ok("agent", "pause", alice["id"])["status"] == "paused"
    assert cli.ok("agent", "resume", alice["id"])["status"] != "paused"
    invoked = cli.ok("agent", "heartbeat:invoke", alice["id"])
    assert invoked  # the CLI only prints the body (upstream 202 HeartbeatRun; ours documented)
    assert cli.ok("agent", "terminate", alice["id"])["status"] == "terminated"


def test_agent_delete(cli, board, api):
    alice = World(api, board).agent()
    assert cli("agent", "delete", alice["id"], "--yes").code == 0
    assert cli.fails("agent", "get", alice["id"]).error.startswith("API error 404")


def test_agent_me_with_an_agent_key(cli, board, api):
    w = World(api, board)
    alice = w.agent()
    me = cli.as_(w.key(alice)).ok("agent", "me")
    assert me["id"] == alice["id"] and me["companyId"] == board.cid


def test_agent_me_carries_what_the_skill_reads(cli, board, api):
    w = World(api, board)
    lead = w.agent("Lead")
    alice = w.agent("Alice", reportsTo=lead["id"])
    me = cli.as_(w.key(alice)).ok("agent", "me")
    assert me["urlKey"] == "alice" and me["budgetMonthlyCents"] == 0 and me["spentMonthlyCents"] == 0
    assert [c["id"] for c in me["chainOfCommand"]] == [lead["id"]]


def test_agent_me_as_the_board_is_an_error(cli):
    r = cli.fails("agent", "me")
    assert r.error.startswith(("API error 401", "API error 403")), r


def test_agent_inbox(cli, board, api):
    w = World(api, board)
    alice = w.agent()
    issue = w.issue(assigneeAgentId=alice["id"])
    rows = cli.as_(w.key(alice)).ok("agent", "inbox")
    assert [r["id"] for r in rows] == [issue["id"]] and rows[0]["identifier"] == issue["identifier"]


def test_agent_wake_by_id_and_by_shortname(cli, board, api):
    alice = World(api, board).agent()
    woken = cli.ok("agent", "wake", alice["id"])
    assert woken.get("id") or woken.get("status") == "skipped"
    woken = cli.ok("agent", "wake", "alice", "-C", board.cid, "--reason", "please")
    assert woken.get("id") or woken.get("status") == "skipped"


def test_agent_local_cli_by_id(cli, board, api):
    alice = World(api, board).agent()
    out = cli.ok("agent", "local-cli", alice["id"], "-C", board.cid, "--no-install-skills")
    assert out["agent"]["id"] == alice["id"] and out["key"]["token"].startswith("pcp_")
    assert f"export PAPERCLIP_AGENT_ID='{alice['id']}'" in out["exports"]
    # The key it printed works: the exports are what an agent's shell then uses.
    assert cli.as_(out["key"]["token"]).ok("agent", "me")["id"] == alice["id"]


def test_agent_local_cli_by_shortname(cli, board, api):
    alice = World(api, board).agent()
    out = cli.ok("agent", "local-cli", "alice", "-C", board.cid, "--no-install-skills")
    assert out["agent"]["id"] == alice["id"] and out["agent"]["urlKey"] == "alice"


def test_token_agent_create_list_revoke(cli, board, api):
    alice = World(api, board).agent()
    created = cli.ok("token", "agent", "create", "-C", board.cid, "--agent", alice["id"])
    key = created["key"]
    assert key["token"].startswith("pcp_") and created["agentId"] == alice["id"]
    listed = cli.ok("token", "agent", "list", "-C", board.cid, "--agent", alice["id"])
    assert [k["id"] for k in listed["keys"]] == [key["id"]]
    revoked = cli.ok("token", "agent", "revoke", key["id"], "-C", board.cid, "--agent", alice["id"])
    assert revoked["ok"] is True
    assert cli.as_(key["token"])("agent", "me").code == 1


def test_board_prompt_creates_an_issue_and_wakes_the_agent(cli, board, api):
    alice = World(api, board).agent()
    out = cli.ok("board", "prompt", "--agent", alice["id"], "-C", board.cid, "Do the thing")
    assert out["ok"] is True and out["issue"]["assigneeAgentId"] == alice["id"] and out["wakeup"]


def test_agent_prompt_comments_on_an_issue(cli, board, api):
    w = World(api, board)
    alice = w.agent()
    issue = w.issue(assigneeAgentId=alice["id"])
    out = cli.as_(w.key(alice)).ok("agent", "prompt", "--issue", issue["id"], "--no-wake", "More detail")
    assert out["mode"] == "comment" and out["comment"]["body"] == "More detail"
