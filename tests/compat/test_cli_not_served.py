"""CLI commands of upstream areas this service does not serve (docs/compatibility.md "Not served"):
the client must get our 404 `{"error": "Not found"}` (printed as `API error 404: Not found`), and never
its own credential back (Chalice's default 403 echoes the Authorization header: issue 14 item 7)."""
import pytest


NOT_SERVED = [
    ("dashboard", "get", "-C", "{cid}"),
    ("approval", "list", "-C", "{cid}"),
    ("cost", "summary", "-C", "{cid}"),
    ("company", "archive", "{cid}"),
    ("issue", "approvals", "{iid}"),
]


def test_not_served_commands_fail_cleanly(cli, board, api):
    from tests.compat.world import World

    issue = World(api, board).issue()
    for argv in NOT_SERVED:
        args = [a.format(cid=board.cid, iid=issue["id"]) for a in argv]
        r = cli(*args)
        assert r.code == 1 and r.error.startswith("API error 404: Not found"), r
        assert board.token not in r.out + r.err and "Bearer" not in r.err, r


@pytest.mark.parametrize("who", ["board", "agent"])
def test_the_credential_never_comes_back_in_an_error(cli, board, api, who):
    # Whatever our answer to an unknown route is, the client must not print the caller's key.
    from tests.compat.world import World

    w = World(api, board)
    key = board.token if who == "board" else w.key(w.agent())
    r = cli.as_(key)("dashboard", "get", "-C", board.cid)
    assert r.code == 1 and key not in r.out + r.err, r
