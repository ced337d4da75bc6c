"""Run JWTs, agent keys and the X-Paperclip-Run-Id rules (SPEC §2)."""
from datetime import timedelta

import jwt
import pytest

from chalicelib.services.access.auth import mint_run_token

SECRET = "test-secret-for-run-jwts-0123456789abcdef"


def claims_for(world, run_id, now, **override):
    claims = {
        "sub": world.alice["id"], "company_id": world.cid, "run_id": run_id,
        "iat": int(now.timestamp()), "exp": int((now + timedelta(hours=1)).timestamp()),
        "iss": "paperclip", "aud": "paperclip-api",
    }
    claims.update(override)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
def run(api, world):
    return api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke").json


def test_minted_token_works_and_binds_the_run(api, world, run):
    r = api.get("/api/agents/me", token=run["token"])
    assert r.status == 200 and r.json["id"] == world.alice["id"]
    decoded = jwt.decode(run["token"], SECRET, algorithms=["HS256"], audience="paperclip-api", options={"verify_exp": False})
    assert decoded["run_id"] == run["run"]["id"] and decoded["iss"] == "paperclip"


def test_alg_none_is_refused(api, world, run, clock):
    token = jwt.encode(claims_for(world, run["run"]["id"], clock.now()), key="", algorithm="none")
    assert api.get("/api/agents/me", token=token).status == 401


def test_other_algorithms_are_refused(api, world, run, clock):
    token = jwt.encode(claims_for(world, run["run"]["id"], clock.now()), SECRET, algorithm="HS512")
    assert api.get("/api/agents/me", token=token).status == 401


def test_wrong_secret_is_refused(api, world, run, clock):
    token = jwt.encode(claims_for(world, run["run"]["id"], clock.now()), "not-the-secret-" * 3, algorithm="HS256")
    assert api.get("/api/agents/me", token=token).status == 401


@pytest.mark.parametrize("override", [{"aud": "someone-else"}, {"iss": "evil"}, {"aud": None}, {"exp": None}, {"company_id": None}])
def test_bad_claims_are_refused(api, world, run, clock, override):
    token = jwt.encode(claims_for(world, run["run"]["id"], clock.now(), **override), SECRET, algorithm="HS256")
    assert api.get("/api/agents/me", token=token).status == 401


def test_expired_token_is_refused_by_the_injected_clock(api, world, run, clock):
    assert api.get("/api/agents/me", token=run["token"]).status == 200
    clock.advance(hours=1)
    assert api.get("/api/agents/me", token=run["token"]).status == 401


def test_token_for_another_company_is_refused(api, world, run, clock):
    token = jwt.encode(claims_for(world, run["run"]["id"], clock.now(), company_id="0" * 8 + "-0000-4000-8000-" + "0" * 12), SECRET, algorithm="HS256")
    assert api.get("/api/agents/me", token=token).status == 401


def test_run_header_must_match_the_token_on_mutations(api, world, run):
    """A run JWT is bound to its run: a mutation naming another run is 403 (upstream answers 422)."""
    other = "11111111-1111-4111-8111-111111111111"
    path = f"/api/agents/{world.alice['id']}"
    assert api.patch(path, {"title": "Mine"}, token=run["token"], run_id=run["run"]["id"]).status == 200
    r = api.patch(path, {"title": "Theirs"}, token=run["token"], run_id=other)
    assert r.status == 403 and r.json["error"] == "X-Paperclip-Run-Id does not match the run token"
    assert api.get(path).json["title"] == "Mine"


def test_agent_key_run_header_names_a_run_of_that_agent_or_none(api, world, run, clock):
    """SPEC §2 as issue 14 rewrote it: a header naming a run of the key's agent is the call's run; one
    naming no run is no run (paperclip-mcp sends a random id on every request); another agent's run is
    always 403."""
    path = f"/api/agents/{world.alice['id']}"
    assert api.patch(path, {"title": "A"}, token=world.alice_key, run_id=run["run"]["id"]).status == 200
    clock.advance(seconds=1)  # the activity log orders entries of one instant by id
    assert api.patch(path, {"title": "B"}, token=world.alice_key, run_id="not-a-run").status == 200
    clock.advance(seconds=1)
    assert api.patch(path, {"title": "C"}, token=world.alice_key, run_id="11111111-1111-4111-8111-111111111111").status == 200
    r = api.patch(f"/api/agents/{world.bob['id']}", {"title": "D"}, token=world.bob_key, run_id=run["run"]["id"])
    assert r.status == 403 and r.json["error"] == "Run id belongs to another agent"
    # attribution: only a run of the agent itself lands in the audit log
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=agent&entityId={world.alice['id']}").json
    assert [e["runId"] for e in entries if e["action"] == "agent.updated"] == [None, None, run["run"]["id"]]
    api.post(f"/api/agents/{world.alice['id']}/terminate")
    assert api.patch(path, {"title": "E"}, token=world.alice_key, run_id=run["run"]["id"]).status == 401  # agent before run


def test_revoked_key_is_refused(api, world):
    keys = api.get(f"/api/agents/{world.alice['id']}/keys").json
    assert len(keys) == 1 and "token" not in keys[0]
    assert api.delete(f"/api/agents/{world.alice['id']}/keys/{keys[0]['id']}").status == 204
    assert api.get("/api/agents/me", token=world.alice_key).status == 401
    assert api.get(f"/api/agents/{world.alice['id']}/keys").json[0]["revokedAt"] is not None
    assert api.delete(f"/api/agents/{world.alice['id']}/keys/nope").status == 404


def test_key_use_is_recorded(api, world, clock):
    api.get("/api/agents/me", token=world.alice_key)
    assert api.get(f"/api/agents/{world.alice['id']}/keys").json[0]["lastUsedAt"] == "2026-03-01T12:00:00.000Z"


def test_terminated_and_pending_agents_cannot_authenticate(api, world, run):
    assert api.post(f"/api/agents/{world.alice['id']}/terminate").status == 200
    assert api.get("/api/agents/me", token=world.alice_key).status == 401
    assert api.get("/api/agents/me", token=run["token"]).status == 401
    assert api.post(f"/api/agents/{world.alice['id']}/resume").status == 409  # terminate is irreversible
    pending = api.post(f"/api/companies/{world.cid}/agents", {"name": "Newbie", "status": "pending_approval"}).json
    r = api.post(f"/api/agents/{pending['id']}/keys", {})
    assert r.status == 409 and r.json["error"] == "Cannot create keys for pending approval agents"  # upstream's rule
    # a key made before the agent went back to pending approval (older data) does not authenticate it
    newbie = api.post(f"/api/companies/{world.cid}/agents", {"name": "Newbie 2"}).json
    key = api.post(f"/api/agents/{newbie['id']}/keys", {}).json["token"]
    from chalicelib.store.agents import Agent

    Agent(id=newbie["id"]).update(actions=[Agent.status.set("pending_approval")])
    assert api.get("/api/agents/me", token=key).status == 401
    assert api.post(f"/api/agents/{newbie['id']}/approve").status == 200
    assert api.get("/api/agents/me", token=key).status == 200


def test_mint_and_verify_roundtrip_uses_configured_claims(world, clock):
    token = mint_run_token("a", "c", "r", clock.now(), clock.now() + timedelta(minutes=5))
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
