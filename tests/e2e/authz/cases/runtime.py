"""Authorization matrix cases: agents, keys and heartbeat runs."""
from __future__ import annotations

from tests.e2e.authz.cases import Req, case

# --- agents -----------------------------------------------------------------------------------------

case("POST", "/companies/{companyId}/agents")(lambda w, a: Req(f"/api/companies/{w.cid}/agents", {"name": w.unique("New")}))
case("GET", "/companies/{companyId}/agents")(lambda w, a: Req(f"/api/companies/{w.cid}/agents"))
case("GET", "/agents/{agentId}")(lambda w, a: Req(f"/api/agents/{w.alice['id']}"))
case("PATCH", "/agents/{agentId}")(lambda w, a: Req(f"/api/agents/{w.alice['id']}", {"title": w.unique("Lead")}))
case("POST", "/agents/{agentId}/pause")(lambda w, a: Req(f"/api/agents/{w.agent()['id']}/pause"))


@case("POST", "/agents/{agentId}/resume")
def _resume(w, a):
    agent = w.agent()
    w.post(f"/api/agents/{agent['id']}/pause")
    return Req(f"/api/agents/{agent['id']}/resume")


case("POST", "/agents/{agentId}/terminate")(lambda w, a: Req(f"/api/agents/{w.agent()['id']}/terminate"))
case("POST", "/agents/{agentId}/keys")(lambda w, a: Req(f"/api/agents/{w.alice['id']}/keys", {"name": "k"}))
case("GET", "/agents/{agentId}/keys")(lambda w, a: Req(f"/api/agents/{w.alice['id']}/keys"))
@case("DELETE", "/agents/{agentId}/keys/{keyId}")
def _revoke_key(w, a):
    alice = w.alice["id"]
    key = w.post(f"/api/agents/{alice}/keys", {"name": "x"})
    return Req(f"/api/agents/{alice}/keys/{key['id']}")

# --- heartbeat runs ---------------------------------------------------------------------------------

case("GET", "/agents/{agentId}/heartbeat-runs")(lambda w, a: Req(f"/api/agents/{w.alice['id']}/heartbeat-runs"))
case("POST", "/agents/{agentId}/heartbeat/invoke", credential="key")(
    lambda w, a: Req(f"/api/agents/{w.alice['id']}/heartbeat/invoke"))


@case("POST", "/heartbeat-runs/{runId}/start", credential="key")
def _start(w, a):
    w.issue(assigneeAgentId=w.alice["id"])  # a wakeup: Alice's queued run
    queued = w.api.get(f"/api/agents/{w.alice['id']}/heartbeat-runs?status=queued").json
    return Req(f"/api/heartbeat-runs/{queued[0]['id']}/start")


@case("POST", "/heartbeat-runs/{runId}/finish")
def _finish(w, a):
    run_id, jwt = w.run_of(w.alice["id"])
    # Alice finishes with that run's own token; everyone else with their own credential.
    return Req(f"/api/heartbeat-runs/{run_id}/finish", {"status": "succeeded"},
               token=jwt if a.variant == "agent_self" else None)


case("DELETE", "/agents/{agentId}")(lambda w, a: Req(f"/api/agents/{w.agent()['id']}"))
case("POST", "/agents/{agentId}/approve")(lambda w, a: Req(f"/api/agents/{w.agent(status='pending_approval')['id']}/approve"))
case("POST", "/agents/{agentId}/wakeup", credential="key")(
    lambda w, a: Req(f"/api/agents/{w.alice['id']}/wakeup", {"source": "on_demand", "triggerDetail": "manual"}))

# --- heartbeat runs by id, company and issue ---------------------------------------------------------

case("GET", "/companies/{companyId}/heartbeat-runs")(lambda w, a: Req(f"/api/companies/{w.cid}/heartbeat-runs"))
case("GET", "/companies/{companyId}/live-runs")(lambda w, a: Req(f"/api/companies/{w.cid}/live-runs?minCount=1"))
case("GET", "/heartbeat-runs/{runId}")(lambda w, a: Req(f"/api/heartbeat-runs/{w.agents['alice']['run_id']}"))
case("POST", "/heartbeat-runs/{runId}/cancel")(lambda w, a: Req(f"/api/heartbeat-runs/{w.run_of(w.alice['id'])[0]}/cancel", {}))
case("GET", "/heartbeat-runs/{runId}/events")(lambda w, a: Req(f"/api/heartbeat-runs/{w.agents['alice']['run_id']}/events"))
# No run has a log here: whoever may read the run gets upstream's 404 "Run log not found", the others 404 too.
case("GET", "/heartbeat-runs/{runId}/log")(
    lambda w, a: Req(f"/api/heartbeat-runs/{w.agents['alice']['run_id']}/log", success=404))


@case("GET", "/heartbeat-runs/{runId}/issues")
def _run_issues(w, a):
    issue = w.issue()
    w.post(f"/api/agents/{w.alice['id']}/wakeup", {"payload": {"issueId": issue["id"]}})
    run_id = w.api.get(f"/api/agents/{w.alice['id']}/heartbeat-runs?status=queued").json[0]["id"]
    return Req(f"/api/heartbeat-runs/{run_id}/issues")


case("GET", "/issues/{issueId}/runs")(lambda w, a: Req(f"/api/issues/{w.issue(assigneeAgentId=w.alice['id'])['id']}/runs"))
case("GET", "/issues/{issueId}/live-runs")(lambda w, a: Req(f"/api/issues/{w.issue(assigneeAgentId=w.alice['id'])['id']}/live-runs"))
case("GET", "/issues/{issueId}/active-run")(lambda w, a: Req(f"/api/issues/{w.checked_out(w.alice['id'])[0]['id']}/active-run"))
