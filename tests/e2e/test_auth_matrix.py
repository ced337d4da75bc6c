"""SPEC §1-2: each principal kind × own/other company × read/write, with exact status codes."""
from types import SimpleNamespace

import pytest

from tests.helpers import create, make_world


def board_token(api, clock, *, admin=False, member_of=()):
    from chalicelib.services.org import board_users

    data = {"name": "Board", "isInstanceAdmin": admin, "memberships": {cid: ["tasks:assign"] for cid in member_of}}
    return board_users.create(None, data, clock.now())[1]


@pytest.fixture
def two_worlds(api, clock):
    own = make_world(api, "Own Co")
    other = make_world(api, "Other Co")
    invoked = api.post(f"/api/agents/{own.alice['id']}/heartbeat/invoke").json
    return SimpleNamespace(
        own=own,
        other=other,
        tokens={
            "admin_board": board_token(api, clock, admin=True),
            "member_board": board_token(api, clock, member_of=[own.cid]),
            "agent_key": own.alice_key,
            "run_jwt": invoked["token"],
        },
    )


# principal -> expected statuses for (own read, own write, other read by id, other company path, other write by id)
MATRIX = {
    "admin_board": (200, 201, 200, 200, 200),
    "member_board": (200, 201, 404, 403, 404),
    "agent_key": (200, 201, 404, 403, 404),
    "run_jwt": (200, 201, 404, 403, 404),
}


@pytest.mark.parametrize("principal", sorted(MATRIX))
def test_authorization_matrix(api, two_worlds, authenticated, principal):
    w, token = two_worlds, two_worlds.tokens[principal]
    own_read, own_write, other_read, other_path, other_write = MATRIX[principal]
    assert api.get(f"/api/projects/{w.own.project['id']}", token=token).status == own_read
    assert api.get(f"/api/companies/{w.own.cid}", token=token).status == own_read
    assert api.post(f"/api/companies/{w.own.cid}/goals", {"title": "Mine"}, token=token).status == own_write
    assert api.get(f"/api/projects/{w.other.project['id']}", token=token).status == other_read
    assert api.get(f"/api/companies/{w.other.cid}", token=token).status == other_read
    assert api.get(f"/api/agents/{w.other.alice['id']}", token=token).status == other_read
    assert api.get(f"/api/companies/{w.other.cid}/agents", token=token).status == other_path
    other_create = 201 if other_path == 200 else other_path
    assert api.post(f"/api/companies/{w.other.cid}/projects", {"name": "Theirs"}, token=token).status == other_create
    assert api.get(f"/api/companies/{w.other.cid}/activity", token=token).status == other_path
    assert api.patch(f"/api/goals/{w.other.goal['id']}", {"title": "Theirs"}, token=token).status == other_write


def test_local_trusted_board_sees_everything_without_a_token(api, two_worlds):
    assert api.get(f"/api/companies/{two_worlds.other.cid}/agents").status == 200
    assert api.get(f"/api/projects/{two_worlds.other.project['id']}").status == 200


def test_authenticated_mode_requires_a_token_except_health(api, two_worlds, authenticated):
    assert api.get(f"/api/companies/{two_worlds.own.cid}").status == 401
    assert api.get("/api/companies").status == 401
    assert api.get("/api/health").status == 200
    assert api.get("/api/openapi.json").status == 200


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer pcp_nope", "Bearer pcb_nope", "Bearer x.y.z", "Token abc"])
def test_bad_credentials_are_401(api, two_worlds, header):
    r = api.get(f"/api/companies/{two_worlds.own.cid}", headers={"Authorization": header})
    assert r.status == 401 and "error" in r.json


def test_agents_cannot_do_board_things(api, two_worlds):
    w, key = two_worlds.own, two_worlds.own.alice_key
    assert api.post(f"/api/companies/{w.cid}/agents", {"name": "Eve"}, token=key).status == 403
    assert api.post(f"/api/agents/{w.bob['id']}/pause", token=key).status == 403
    assert api.post(f"/api/agents/{w.alice['id']}/keys", {}, token=key).status == 403
    assert api.patch(f"/api/agents/{w.bob['id']}", {"title": "x"}, token=key).status == 403
    assert api.patch(f"/api/agents/{w.alice['id']}", {"title": "Lead"}, token=key).status == 200
    assert api.post("/api/companies", {"name": "Mine"}, token=key).status == 403
    assert api.patch(f"/api/companies/{w.cid}", {"name": "x"}, token=key).status == 403
    # reading runs is not a board thing: any agent of the company reads them, as upstream (README heartbeat.read)
    assert api.get(f"/api/agents/{w.bob['id']}/heartbeat-runs", token=key).status == 200
    assert api.get(f"/api/agents/{two_worlds.other.bob['id']}/heartbeat-runs", token=key).status == 404
    assert api.post(f"/api/agents/{w.bob['id']}/heartbeat/invoke", token=key).status == 403


def test_member_board_sees_only_its_companies_in_the_list(api, two_worlds, authenticated):
    r = api.get("/api/companies", token=two_worlds.tokens["member_board"])
    assert r.status == 200 and [c["id"] for c in r.json] == [two_worlds.own.cid]
    r = api.get("/api/companies", token=two_worlds.tokens["admin_board"])
    assert {c["id"] for c in r.json} == {two_worlds.own.cid, two_worlds.other.cid}
    r = api.get("/api/companies", token=two_worlds.tokens["agent_key"])
    assert [c["id"] for c in r.json] == [two_worlds.own.cid]


def test_board_user_creating_a_company_becomes_its_member(api, clock, authenticated):
    token = board_token(api, clock)
    company = create(api, "/api/companies", {"name": "Fresh"}, token=token)
    assert api.get(f"/api/companies/{company['id']}/agents", token=token).status == 200
    assert [c["id"] for c in api.get("/api/companies", token=token).json] == [company["id"]]


def test_only_instance_admins_create_board_users(api, two_worlds, authenticated):
    body = {"name": "New", "memberships": {two_worlds.own.cid: ["tasks:assign"]}}
    assert api.post("/api/board-users", body, token=two_worlds.tokens["member_board"]).status == 403
    r = api.post("/api/board-users", body, token=two_worlds.tokens["admin_board"])
    assert r.status == 201 and r.json["token"].startswith("pcb_")
    assert api.get(f"/api/companies/{two_worlds.own.cid}/agents", token=r.json["token"]).status == 200
    assert api.get(f"/api/companies/{two_worlds.other.cid}/agents", token=r.json["token"]).status == 403
