"""`paperclipai company …` and `activity …` (notes/cli.md §3, §10) as the board user."""
import json

from tests.compat.world import World


def test_company_list_get_and_current(cli, board, api):
    listed = cli.ok("company", "list")
    assert [c["id"] for c in listed] == [board.cid]
    assert cli.ok("company", "get", board.cid)["issuePrefix"] == board.prefix
    assert cli.ok("company", "current", "-C", board.cid)["id"] == board.cid
    # Text mode: one line per row, id and name first (common.ts formatInlineRecord).
    text = cli("company", "list")
    assert text.code == 0 and f"id={board.cid}" in text.out and "name=Acme Corp" in text.out, text


def test_company_current_without_a_company_tells_the_board_what_to_pass(cli):
    # The CLI asks /api/agents/me for the company; a 401/403 there makes it print its hint
    # (company.ts:2033-2054); a 404 would print "API error 404" instead.
    r = cli.fails("company", "current")
    assert "Current company is not available" in r.err, r


def test_company_current_with_an_agent_key_uses_the_agents_company(cli, board, api):
    w = World(api, board)
    key = w.key(w.agent())
    assert cli.as_(key).ok("company", "current")["id"] == board.cid


def test_company_create_and_update_with_raw_payloads(cli):
    created = cli.ok("company", "create", "--payload-json", json.dumps({"name": "Globex"}))
    assert created["name"] == "Globex" and created["issuePrefix"] == "GLO"
    updated = cli.ok("company", "update", created["id"], "--payload-json", json.dumps({"description": "x"}))
    assert updated["description"] == "x"


def test_company_update_with_upstream_budget_fields(cli, board):
    body = {"budgetMonthlyCents": 5000, "requireBoardApprovalForNewAgents": True}
    updated = cli.ok("company", "update", board.cid, "--payload-json", json.dumps(body))
    assert updated["budgetMonthlyCents"] == 5000 and updated["requireBoardApprovalForNewAgents"] is True


def test_company_delete_by_id_and_by_prefix(cli):
    first = cli.ok("company", "create", "--payload-json", json.dumps({"name": "Globex"}))
    second = cli.ok("company", "create", "--payload-json", json.dumps({"name": "Initech"}))
    out = cli.ok("company", "delete", first["id"], "--yes", "--confirm", first["id"])
    assert out["ok"] is True and out["deletedCompanyId"] == first["id"]
    out = cli.ok("company", "delete", "INI", "--yes", "--confirm", "INI")
    assert out["deletedCompanyId"] == second["id"] and out["deletedCompanyPrefix"] == "INI"
    assert cli.fails("company", "get", first["id"]).error.startswith("API error 404")


def test_activity_list_with_the_cli_filters(cli, board, api):
    w = World(api, board)
    issue = w.issue()
    rows = cli.ok("activity", "list", "-C", board.cid, "--entity-type", "issue", "--entity-id", issue["id"])
    assert [r["action"] for r in rows] == ["issue.created"] and rows[0]["entityId"] == issue["id"]
    everything = cli.ok("activity", "list", "-C", board.cid)
    assert {"company.created", "issue.created"} <= {r["action"] for r in everything}
