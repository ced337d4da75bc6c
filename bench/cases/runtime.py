"""Cases for agents, their API keys and heartbeat runs."""
from __future__ import annotations

from bench.cases.shapes import Call, Case, Listing, company_items, invoke, new_agent, seeded_many, unique, unique_letters
from bench.harness import World


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


def _pending_agent(world: World) -> str:
    return world.post(f"/api/companies/{world.cid}/agents", {"name": unique("Hire"), "status": "pending_approval"})["id"]


def _woken_run(world: World) -> str:
    """Bob's queued run, woken for an issue (the run GET /heartbeat-runs/{runId}/issues reads)."""
    issue = world.post(f"/api/companies/{world.cid}/issues", {"title": unique("Wake"), "assigneeAgentId": world.bob})
    return world.get(f"/api/agents/{world.bob}/heartbeat-runs?status=queued")[0]["id"], issue["id"]


def _checked_out_issue(world: World) -> str:
    issue = world.post(f"/api/companies/{world.cid}/issues", {"title": unique("Held"), "assigneeAgentId": world.alice})
    run_id, jwt = invoke(world, world.alice)
    world.post(f"/api/issues/{issue['id']}/checkout", {"agentId": world.alice, "expectedStatuses": ["todo"]}, token=jwt, status=200)
    return issue["id"]


def _keys_of_agent(w: World, n: int) -> tuple[str, str]:
    agent = w.seeded(f"keys-{n}", lambda: new_agent(w))
    seeded_many(w, f"keys-{n}-items", n, lambda i: w.post(f"/api/agents/{agent}/keys", {"name": f"k{i}"}))
    return f"/api/agents/{agent}/keys", w.board


def _runs_of_agent(w: World, n: int) -> tuple[str, str]:
    agent = w.seeded("runner", lambda: new_agent(w))
    seeded_many(w, "runner-runs", n, lambda i: invoke(w, agent))
    return f"/api/agents/{agent}/heartbeat-runs", w.board


CASES = [
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
    Case("GET", "/api/agents/{agentId}", "board", lambda w: Call("GET", f"/api/agents/Alice?companyId={w.cid}", w.board),
         situation="by url key"),
    Case("GET", "/api/agents/me", "agent key", lambda w: Call("GET", "/api/agents/me", w.alice_key, run_id=w.alice_run),
         situation="X-Paperclip-Run-Id on a read"),
    Case("DELETE", "/api/agents/{agentId}", "board", lambda w: Call("DELETE", f"/api/agents/{new_agent(w)}", w.board, 204),
         repeatable=False),
    Case("POST", "/api/agents/{agentId}/approve", "board", lambda w: Call(
        "POST", f"/api/agents/{_pending_agent(w)}/approve", w.board)),
    Case("POST", "/api/agents/{agentId}/wakeup", "agent key", lambda w: Call(
        "POST", f"/api/agents/{w.alice}/wakeup", w.alice_key, 202, {"source": "on_demand", "triggerDetail": "manual"}),
         situation="itself"),
    Case("GET", "/api/heartbeat-runs/{runId}", "board", lambda w: Call("GET", f"/api/heartbeat-runs/{w.alice_run}", w.board)),
    Case("POST", "/api/heartbeat-runs/{runId}/cancel", "board", lambda w: Call(
        "POST", f"/api/heartbeat-runs/{invoke(w, w.bob)[0]}/cancel", w.board, body={}), situation="running run"),
    Case("GET", "/api/heartbeat-runs/{runId}/events", "board", lambda w: Call(
        "GET", f"/api/heartbeat-runs/{w.alice_run}/events?afterSeq=0&limit=100", w.board)),
    Case("GET", "/api/heartbeat-runs/{runId}/log", "board", lambda w: Call(
        "GET", f"/api/heartbeat-runs/{w.alice_run}/log?offset=0&limitBytes=16384", w.board, 404), situation="no log kept"),
    Case("GET", "/api/heartbeat-runs/{runId}/issues", "board", lambda w: Call(
        "GET", f"/api/heartbeat-runs/{_woken_run(w)[0]}/issues", w.board)),
    Case("GET", "/api/companies/{companyId}/live-runs", "board", lambda w: Call(
        "GET", f"/api/companies/{w.cid}/live-runs?minCount=5", w.board)),
    Case("GET", "/api/issues/{issueId}/live-runs", "board", lambda w: Call(
        "GET", f"/api/issues/{_woken_run(w)[1]}/live-runs", w.board)),
    Case("GET", "/api/issues/{issueId}/active-run", "board", lambda w: Call(
        "GET", f"/api/issues/{_checked_out_issue(w)}/active-run", w.board), situation="checked out"),
]

def _company_runs(w: World, n: int) -> tuple[str, str]:
    agent = w.seeded("company-runner", lambda: new_agent(w))
    seeded_many(w, "company-runner-runs", n, lambda i: invoke(w, agent))
    return f"/api/companies/{w.cid}/heartbeat-runs", w.board


def _issue_runs(w: World, n: int) -> tuple[str, str]:
    agent = w.seeded("issue-runner", lambda: new_agent(w))
    issue = w.seeded("issue-runner-issue", lambda: w.post(f"/api/companies/{w.cid}/issues", {"title": unique("Runs")})["id"])

    def woken_run(i: int) -> str:
        w.post(f"/api/agents/{agent}/wakeup", {"payload": {"issueId": issue}}, status=202)
        return invoke(w, agent)[0]  # starting it lets the next wakeup queue a new run

    seeded_many(w, "issue-runner-runs", n, woken_run)
    return f"/api/issues/{issue}/runs", w.board


LISTINGS = [
    Listing("/api/companies/{companyId}/agents", "board", company_items("agents", lambda i: {"name": f"Worker {i}"})),
    Listing("/api/agents/{agentId}/keys", "board", _keys_of_agent, paged=False),
    Listing("/api/agents/{agentId}/heartbeat-runs", "board", _runs_of_agent),
    Listing("/api/companies/{companyId}/heartbeat-runs", "board", _company_runs),
    Listing("/api/issues/{issueId}/runs", "board", _issue_runs),
]
