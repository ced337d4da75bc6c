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
