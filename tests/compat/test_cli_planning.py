"""`paperclipai project …` and `goal …` (notes/cli.md §5, §6) as the board user."""
from tests.compat.world import World


def test_project_create_minimal_list_get_update(cli, board):
    # Minimal create sends {"name","status":"backlog"}.
    created = cli.ok("project", "create", "-C", board.cid, "--name", "Proj")
    assert created["name"] == "Proj" and created["status"] == "backlog"
    assert [p["id"] for p in cli.ok("project", "list", "-C", board.cid)] == [created["id"]]
    assert cli.ok("project", "get", created["id"])["name"] == "Proj"
    updated = cli.ok("project", "update", created["id"], "--name", "P2", "--status", "in_progress")
    assert updated["name"] == "P2" and updated["status"] == "in_progress"


def test_project_get_and_update_send_the_company_when_one_resolves(cli, board, api):
    # With -C (or PAPERCLIP_COMPANY_ID) the CLI appends ?companyId= to get/update/delete.
    project = World(api, board).project()
    assert cli.ok("project", "get", project["id"], "-C", board.cid)["id"] == project["id"]
    assert cli.ok("project", "update", project["id"], "-C", board.cid, "--name", "P3")["name"] == "P3"


def test_project_create_and_update_with_every_flag(cli, board, api):
    w = World(api, board)
    goal, lead = w.goal(), w.agent()
    created = cli.ok("project", "create", "-C", board.cid, "--name", "Proj", "--description", "d",
                     "--status", "planned", "--goal-id", goal["id"], "--lead-agent-id", lead["id"],
                     "--target-date", "2026-12-31", "--color", "#fff", "--env-json", "{}",
                     "--execution-workspace-policy-json", '{"enabled":false}')
    assert created["leadAgentId"] == lead["id"] and created["targetDate"] == "2026-12-31"
    assert created["color"] == "#fff" and goal["id"] in created["goalIds"]
    updated = cli.ok("project", "update", created["id"], "--goal-ids", "", "--description", "null",
                     "--archived-at", "null")
    assert updated["goalIds"] == [] and updated["description"] is None


def test_project_get_by_shortname(cli, board, api):
    project = World(api, board).project("Launch")
    assert cli.ok("project", "get", "launch", "-C", board.cid)["id"] == project["id"]


def test_project_delete(cli, board, api):
    project = World(api, board).project()
    assert cli("project", "delete", project["id"], "--yes").code == 0
    assert cli.fails("project", "get", project["id"]).error.startswith("API error 404")


def test_goal_list_get_update(cli, board, api):
    goal = World(api, board).goal()
    assert [g["id"] for g in cli.ok("goal", "list", "-C", board.cid)] == [goal["id"]]
    assert cli.ok("goal", "get", goal["id"])["title"] == "Grow"
    updated = cli.ok("goal", "update", goal["id"], "--title", "G2", "--status", "achieved", "--parent-id", "null")
    assert updated["title"] == "G2" and updated["status"] == "achieved" and updated["parentId"] is None


def test_goal_create_with_a_level(cli, board):
    created = cli.ok("goal", "create", "-C", board.cid, "--title", "G", "--level", "company", "--description", "d")
    assert created["level"] == "company" and created["status"] == "planned"


def test_goal_create_with_the_cli_defaults(cli, board):
    # Without --level the CLI sends {"title","level":"task","status":"planned"}.
    created = cli.ok("goal", "create", "-C", board.cid, "--title", "G")
    assert created["level"] == "task" and created["status"] == "planned"


def test_goal_create_with_an_owner(cli, board, api):
    alice = World(api, board).agent()
    created = cli.ok("goal", "create", "-C", board.cid, "--title", "G", "--level", "team", "--owner-agent-id", alice["id"])
    assert created["ownerAgentId"] == alice["id"]


def test_goal_delete(cli, board, api):
    goal = World(api, board).goal()
    assert cli("goal", "delete", goal["id"], "--yes").code == 0
    assert cli.fails("goal", "get", goal["id"]).error.startswith("API error 404")
