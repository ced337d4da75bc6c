"""Cases for the system, company, agent, heartbeat, project and goal endpoints."""
from __future__ import annotations

from bench.cases.shapes import Call, Case, Listing, invoke, new_agent, seeded_many, unique, unique_letters
from bench.harness import World


def _company_named_like_others(world: World) -> Call:
    """A name whose three letters 3 companies already hold: the prefix is found by trying CLA, CLA2, …"""
    seeded_many(world, "clash", 3, lambda i: world.post("/api/companies", {"name": f"Clash {i}"}, token=world.admin))
    return Call("POST", "/api/companies", world.board, 201, {"name": unique("Clash")})


def _paused_agent(world: World) -> str:
    agent = new_agent(world)
    world.post(f"/api/agents/{agent}/pause", status=200)
    return agent


def _queued_run_of_bob(world: World) -> str:
    """Assigning an issue wakes Bob: his queued run (a later wakeup would join it)."""
    world.post(f"/api/companies/{world.cid}/issues", {"title": unique("Wake"), "assigneeAgentId": world.bob})
    return world.get(f"/api/agents/{world.bob}/heartbeat-runs?status=queued")[0]["id"]


def _first_use_of_key(world: World) -> Call:
    key = world.post(f"/api/agents/{world.alice}/keys", {"name": unique("key")})["token"]
    return Call("GET", "/api/agents/me", key)


def _finish_own_run(world: World) -> Call:
    run_id, jwt = invoke(world, world.alice)
    return Call("POST", f"/api/heartbeat-runs/{run_id}/finish", jwt, body={"status": "succeeded"})


CASES = [
    Case("GET", "/api/health", "public", lambda w: Call("GET", "/api/health", None)),
    Case("GET", "/api/openapi.json", "public", lambda w: Call("GET", "/api/openapi.json", None)),
    Case("POST", "/api/board-users", "admin board", lambda w: Call(
        "POST", "/api/board-users", w.admin, 201, {"name": unique("Op"), "memberships": {w.cid: ["tasks:assign"]}})),

    Case("POST", "/api/companies", "board", lambda w: Call("POST", "/api/companies", w.board, 201, {"name": unique_letters()}),
         situation="prefix free"),
    Case("POST", "/api/companies", "board", _company_named_like_others, situation="prefix taken 3 times",
         repeatable=False),
    Case("GET", "/api/companies", "board", lambda w: Call("GET", "/api/companies", w.board),
         situation="member of its companies"),
    Case("GET", "/api/companies/{companyId}", "board", lambda w: Call("GET", f"/api/companies/{w.cid}", w.board)),
    Case("PATCH", "/api/companies/{companyId}", "board", lambda w: Call(
        "PATCH", f"/api/companies/{w.cid}", w.board, body={"description": unique("About")})),

    Case("POST", "/api/companies/{companyId}/agents", "board", lambda w: Call(
        "POST", f"/api/companies/{w.cid}/agents", w.board, 201, {"name": unique("Agent")})),
    Case("GET", "/api/agents/me", "agent key", lambda w: Call("GET", "/api/agents/me", w.alice_key)),
    Case("GET", "/api/agents/me", "agent key", _first_use_of_key, situation="first use this minute (lastUsedAt)"),
    Case("GET", "/api/agents/me", "run JWT", lambda w: Call("GET", "/api/agents/me", w.alice_jwt)),
    Case("GET", "/api/agents/{agentId}", "board", lambda w: Call("GET", f"/api/agents/{w.alice}", w.board)),
    Case("PATCH", "/api/agents/{agentId}", "agent key", lambda w: Call(
        "PATCH", f"/api/agents/{w.alice}", w.alice_key, body={"title": unique("Lead")}), situation="itself"),
    Case("POST", "/api/agents/{agentId}/pause", "board", lambda w: Call(
        "POST", f"/api/agents/{new_agent(w)}/pause", w.board)),
    Case("POST", "/api/agents/{agentId}/resume", "board", lambda w: Call(
        "POST", f"/api/agents/{_paused_agent(w)}/resume", w.board)),
    Case("POST", "/api/agents/{agentId}/terminate", "board", lambda w: Call(
        "POST", f"/api/agents/{new_agent(w)}/terminate", w.board)),
    Case("POST", "/api/agents/{agentId}/keys", "board", lambda w: Call(
        "POST", f"/api/agents/{w.bob}/keys", w.board, 201, {"name": unique("key")})),
    Case("DELETE", "/api/agents/{agentId}/keys/{keyId}", "board", lambda w: Call(
        "DELETE", f"/api/agents/{w.bob}/keys/{w.post(f'/api/agents/{w.bob}/keys', {'name': 'doomed'})['id']}", w.board, 204)),

    Case("POST", "/api/agents/{agentId}/heartbeat/invoke", "board", lambda w: Call(
        "POST", f"/api/agents/{w.alice}/heartbeat/invoke", w.board)),
    Case("POST", "/api/agents/{agentId}/heartbeat/invoke", "agent key", lambda w: Call(
        "POST", f"/api/agents/{w.alice}/heartbeat/invoke", w.alice_key), situation="itself"),
    Case("POST", "/api/heartbeat-runs/{runId}/start", "board", lambda w: Call(
        "POST", f"/api/heartbeat-runs/{_queued_run_of_bob(w)}/start", w.board), situation="queued run"),
    Case("POST", "/api/heartbeat-runs/{runId}/finish", "run JWT", _finish_own_run, situation="its own run"),

    Case("POST", "/api/companies/{companyId}/projects", "board", lambda w: Call(
        "POST", f"/api/companies/{w.cid}/projects", w.board, 201, {"name": unique("Project")})),
    Case("GET", "/api/projects/{projectId}", "board", lambda w: Call("GET", f"/api/projects/{w.project}", w.board)),
    Case("PATCH", "/api/projects/{projectId}", "board", lambda w: Call(
        "PATCH", f"/api/projects/{w.project}", w.board, body={"description": unique("About")})),
    Case("POST", "/api/companies/{companyId}/goals", "board", lambda w: Call(
        "POST", f"/api/companies/{w.cid}/goals", w.board, 201, {"title": unique("Goal")})),
    Case("GET", "/api/goals/{goalId}", "board", lambda w: Call("GET", f"/api/goals/{w.goal}", w.board)),
    Case("PATCH", "/api/goals/{goalId}", "board", lambda w: Call(
        "PATCH", f"/api/goals/{w.goal}", w.board, body={"description": unique("About")})),
]


def _companies(w: World, n: int) -> tuple[str, str]:
    seeded_many(w, "companies", n, lambda i: w.post("/api/companies", {"name": unique_letters()}, token=w.admin))
    return "/api/companies", w.admin


def _company_items(path: str, body_of):
    def collection(w: World, n: int) -> tuple[str, str]:
        seeded_many(w, path, n, lambda i: w.post(f"/api/companies/{w.cid}/{path}", body_of(i)))
        return f"/api/companies/{w.cid}/{path}", w.board

    return collection


def _keys_of_agent(w: World, n: int) -> tuple[str, str]:
    agent = w.seeded(f"keys-{n}", lambda: new_agent(w))
    seeded_many(w, f"keys-{n}-items", n, lambda i: w.post(f"/api/agents/{agent}/keys", {"name": f"k{i}"}))
    return f"/api/agents/{agent}/keys", w.board


def _runs_of_agent(w: World, n: int) -> tuple[str, str]:
    agent = w.seeded("runner", lambda: new_agent(w))
    seeded_many(w, "runner-runs", n, lambda i: invoke(w, agent))
    return f"/api/agents/{agent}/heartbeat-runs", w.board


def _activity(w: World, n: int) -> tuple[str, str]:
    _company_items("goals", lambda i: {"title": f"Goal {i}"})(w, n)  # each creation appends an entry
    return f"/api/companies/{w.cid}/activity", w.board


LISTINGS = [
    Listing("/api/companies", "admin board", _companies),
    Listing("/api/companies/{companyId}/agents", "board", _company_items("agents", lambda i: {"name": f"Worker {i}"})),
    Listing("/api/agents/{agentId}/keys", "board", _keys_of_agent, paged=False),
    Listing("/api/agents/{agentId}/heartbeat-runs", "board", _runs_of_agent),
    Listing("/api/companies/{companyId}/activity", "board", _activity),
    Listing("/api/companies/{companyId}/projects", "board", _company_items("projects", lambda i: {"name": f"P{i}"})),
    Listing("/api/companies/{companyId}/goals", "board", _company_items("goals", lambda i: {"title": f"Goal {i}"})),
]
