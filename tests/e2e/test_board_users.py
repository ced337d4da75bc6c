"""Board token lifecycle (issue #10 item 9): list, revoke at once, deactivate, memberships; all audited."""
import pytest

from chalicelib.services.org import board_users


def _user(clock, **data):
    user, token = board_users.create(None, {"name": "Dana", **data}, clock.now())
    return user.id, token


@pytest.fixture
def admin(clock):
    return _user(clock, isInstanceAdmin=True)[1]


def test_a_revoked_token_stops_at_once_and_others_go_on(api, world, clock, authenticated):
    user_id, token = _user(clock, memberships={world.cid: []})
    created = api.post(f"/api/board-users/{user_id}/tokens", {"name": "laptop"}, token=token)
    assert created.status == 201 and created.json["token"].startswith("pcb_")
    second = created.json["token"]
    assert api.get(f"/api/companies/{world.cid}", token=second).status == 200
    listed = api.get(f"/api/board-users/{user_id}/tokens", token=token).json
    assert sorted(t["name"] for t in listed) == ["initial", "laptop"] and all("token" not in t for t in listed)

    assert api.delete(f"/api/board-users/{user_id}/tokens/{created.json['id']}", token=token).status == 204
    r = api.get(f"/api/companies/{world.cid}", token=second)
    assert r.status == 401 and r.json["error"] == "Token revoked"
    assert api.get(f"/api/companies/{world.cid}", token=token).status == 200
    revoked = [t for t in api.get(f"/api/board-users/{user_id}/tokens", token=token).json if t["name"] == "laptop"]
    assert revoked[0]["revokedAt"] == "2026-03-01T12:00:00.000Z"


def test_members_see_only_their_own_tokens(api, world, clock, authenticated, admin):
    dana, dana_token = _user(clock, memberships={world.cid: ["users:manage_permissions"]})
    erin, _ = _user(clock)
    assert api.get(f"/api/board-users/{erin}/tokens", token=dana_token).status == 404
    assert api.delete(f"/api/board-users/{erin}/tokens/x", token=dana_token).status == 404
    assert api.get("/api/board-users", token=dana_token).status == 403
    assert api.get(f"/api/board-users/{erin}/tokens", token=admin).status == 200
    assert {u["id"] for u in api.get("/api/board-users", token=admin).json} >= {dana, erin}


def test_a_deactivated_user_is_locked_out_with_every_token(api, world, clock, authenticated, admin):
    user_id, token = _user(clock, memberships={world.cid: []})
    other = api.post(f"/api/board-users/{user_id}/tokens", {}, token=token).json["token"]
    r = api.patch(f"/api/board-users/{user_id}", {"status": "deactivated"}, token=admin)
    assert r.status == 200 and r.json["status"] == "deactivated"
    for t in (token, other):
        r = api.get(f"/api/companies/{world.cid}", token=t)
        assert r.status == 401 and r.json["error"] == "User deactivated"
    assert api.post(f"/api/board-users/{user_id}/tokens", {}, token=admin).status == 409
    assert api.patch(f"/api/board-users/{user_id}", {"status": "active"}, token=admin).status == 200
    assert api.get(f"/api/companies/{world.cid}", token=token).status == 200
    admin_id = api.get("/api/board-users/me", token=admin).json["id"]
    assert api.patch(f"/api/board-users/{admin_id}", {"status": "deactivated"}, token=admin).status == 409
    assert api.patch(f"/api/board-users/{admin_id}", {"isInstanceAdmin": False}, token=admin).status == 409


def test_memberships_change_what_a_user_may_do(api, world, clock, authenticated):
    manager, manager_token = _user(clock, memberships={world.cid: ["users:manage_permissions"]})
    user_id, token = _user(clock)
    assert api.get(f"/api/companies/{world.cid}/issues", token=token).status == 403
    r = api.put(f"/api/companies/{world.cid}/board-members/{user_id}", {"permissions": ["tasks:assign"]},
                token=manager_token)
    assert r.status == 200 and r.json["memberships"] == {world.cid: ["tasks:assign"]}
    assert api.post(f"/api/companies/{world.cid}/issues", {"title": "T", "assigneeAgentId": world.alice["id"]},
                    token=token).status == 201
    assert api.put(f"/api/companies/{world.cid}/board-members/{user_id}", {"permissions": []},
                   token=manager_token).status == 200
    assert api.post(f"/api/companies/{world.cid}/issues", {"title": "T", "assigneeAgentId": world.alice["id"]},
                    token=token).status == 403
    assert api.delete(f"/api/companies/{world.cid}/board-members/{user_id}", token=manager_token).status == 204
    assert api.get(f"/api/companies/{world.cid}/issues", token=token).status == 403
    assert api.delete(f"/api/companies/{world.cid}/board-members/{user_id}", token=manager_token).status == 404
    # legacy permission names still work, expanded
    r = api.put(f"/api/companies/{world.cid}/board-members/{user_id}", {"permissions": ["agents:manage"]},
                token=manager_token)
    assert r.json["memberships"][world.cid] == ["agents:configure", "agents:create"]
    # without users:manage_permissions, no
    assert api.put(f"/api/companies/{world.cid}/board-members/{manager}", {"permissions": ["company:manage"]},
                   token=token).status == 403


def test_everything_is_audited(api, world, clock, authenticated, admin):
    user_id, token = _user(clock, memberships={world.cid: []})
    created = api.post(f"/api/board-users/{user_id}/tokens", {"name": "x"}, token=token).json
    api.delete(f"/api/board-users/{user_id}/tokens/{created['id']}", token=token)
    api.put(f"/api/companies/{world.cid}/board-members/{user_id}", {"permissions": ["tasks:assign"]}, token=admin)
    api.patch(f"/api/board-users/{user_id}", {"status": "deactivated"}, token=admin)
    log = api.get("/api/instance/activity", token=admin).json
    mine = [e["action"] for e in log if e["entityId"] == user_id]
    assert sorted(mine) == sorted(["board_user.created", "board_token.created", "board_token.revoked",
                                   "membership.set", "board_user.deactivated"])
    company_log = api.get(f"/api/companies/{world.cid}/activity?entityType=board_user&entityId={user_id}", token=admin).json
    assert [e["action"] for e in company_log] == ["membership.set"]
    assert api.get("/api/instance/activity", token=token).status == 401  # deactivated by now
