"""One request per route for the authorization matrix: `CASES[(method, path)](world, actor)` builds a
request that succeeds for a caller the permission table allows. Targets belong to Alice, so for SELF
rules Alice (agent_self) acts on her own and Bob (agent_other) on someone else's.

A route without a case fails the matrix test by name: adding a route means adding its case here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from tests.e2e.authz.world import Actor, AuthzWorld


@dataclass
class Req:
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None  # default: the actor's
    raw: bytes | None = None
    success: int | None = None  # default: the route's documented status
    # statuses the contract gives some callers for reasons other than authorization (e.g. SPEC §4's 409
    # for an agent releasing another agent's issue), by variant
    otherwise: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    build: Callable[[AuthzWorld, Actor], Req]
    credential: str = "jwt"  # which credential agent callers use: "jwt" (a running run) or "key"


CASES: dict[tuple[str, str], Case] = {}


def case(method: str, path: str, credential: str = "jwt"):
    def register(fn: Callable[[AuthzWorld, Actor], Req]):
        CASES[(method, path)] = Case(fn, credential)
        return fn
    return register


def _multipart(filename: str = "notes.txt", data: bytes = b"hello") -> tuple[bytes, dict[str, str]]:
    boundary = "authzboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


# --- instance ---------------------------------------------------------------------------------------

case("GET", "/companies")(lambda w, a: Req("/api/companies"))
case("POST", "/companies")(lambda w, a: Req("/api/companies", {"name": w.unique("Newco")}))
case("POST", "/board-users")(lambda w, a: Req("/api/board-users", {"name": w.unique("Op")}))
case("GET", "/agents/me")(lambda w, a: Req("/api/agents/me"))

# --- companies --------------------------------------------------------------------------------------

case("GET", "/companies/{companyId}")(lambda w, a: Req(f"/api/companies/{w.cid}"))
case("PATCH", "/companies/{companyId}")(lambda w, a: Req(f"/api/companies/{w.cid}", {"description": "x"}))
case("GET", "/companies/{companyId}/activity")(lambda w, a: Req(f"/api/companies/{w.cid}/activity"))

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

# --- projects and goals -----------------------------------------------------------------------------

case("POST", "/companies/{companyId}/projects")(lambda w, a: Req(f"/api/companies/{w.cid}/projects", {"name": w.unique("P")}))
case("GET", "/companies/{companyId}/projects")(lambda w, a: Req(f"/api/companies/{w.cid}/projects"))
case("GET", "/projects/{projectId}")(lambda w, a: Req(f"/api/projects/{w.project['id']}"))
case("PATCH", "/projects/{projectId}")(lambda w, a: Req(f"/api/projects/{w.project['id']}", {"description": "x"}))
case("POST", "/companies/{companyId}/goals")(lambda w, a: Req(f"/api/companies/{w.cid}/goals", {"title": w.unique("G")}))
case("GET", "/companies/{companyId}/goals")(lambda w, a: Req(f"/api/companies/{w.cid}/goals"))
case("GET", "/goals/{goalId}")(lambda w, a: Req(f"/api/goals/{w.goal['id']}"))
case("PATCH", "/goals/{goalId}")(lambda w, a: Req(f"/api/goals/{w.goal['id']}", {"description": "x"}))

# --- issues -----------------------------------------------------------------------------------------

case("POST", "/companies/{companyId}/issues")(lambda w, a: Req(f"/api/companies/{w.cid}/issues", {"title": "T"}))
case("GET", "/companies/{companyId}/issues")(lambda w, a: Req(f"/api/companies/{w.cid}/issues"))
case("GET", "/issues/{issueId}")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}"))
case("PATCH", "/issues/{issueId}")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}", {"priority": "high"}))


@case("POST", "/issues/{issueId}/checkout")
def _checkout(w, a):
    issue = w.issue()
    if a.is_agent:  # an agent checks out as itself with its run; Bob naming Alice is refused (SELF)
        return Req(f"/api/issues/{issue['id']}/checkout", {"agentId": w.alice["id"], "expectedStatuses": ["backlog"]})
    run_id, _ = w.run_of(w.alice["id"])  # the board names a run of the agent it checks out for
    return Req(f"/api/issues/{issue['id']}/checkout", {"agentId": w.alice["id"], "expectedStatuses": ["backlog"]},
               headers={"X-Paperclip-Run-Id": run_id})


@case("POST", "/issues/{issueId}/release")
def _release(w, a):
    issue, run_id, jwt = w.checked_out(w.alice["id"])
    # SPEC §4: an agent that is not the assignee gets 409 (it is allowed to ask, not to take it)
    return Req(f"/api/issues/{issue['id']}/release", token=jwt if a.variant == "agent_self" else None,
               otherwise={"agent_other": 409})


case("GET", "/issues/{issueId}/comments")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}/comments"))
case("POST", "/issues/{issueId}/comments")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}/comments", {"body": "hi"}))

# --- documents and attachments ----------------------------------------------------------------------

DOC = {"format": "markdown", "body": "# Plan"}


def _document(w) -> tuple[dict, dict]:
    issue = w.issue()
    doc = w.api.put(f"/api/issues/{issue['id']}/documents/plan", DOC).json
    return issue, doc


case("GET", "/issues/{issueId}/documents")(lambda w, a: Req(f"/api/issues/{_document(w)[0]['id']}/documents"))
case("GET", "/issues/{issueId}/documents/{key}")(lambda w, a: Req(f"/api/issues/{_document(w)[0]['id']}/documents/plan"))
case("PUT", "/issues/{issueId}/documents/{key}")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}/documents/plan", DOC,
                                                                   success=201))
case("DELETE", "/issues/{issueId}/documents/{key}")(lambda w, a: Req(f"/api/issues/{_document(w)[0]['id']}/documents/plan"))
case("GET", "/issues/{issueId}/documents/{key}/revisions")(
    lambda w, a: Req(f"/api/issues/{_document(w)[0]['id']}/documents/plan/revisions"))


@case("POST", "/companies/{companyId}/issues/{issueId}/attachments")
def _upload(w, a):
    body, headers = _multipart()
    return Req(f"/api/companies/{w.cid}/issues/{w.issue()['id']}/attachments", raw=body, headers=headers)


def _attachment(w) -> dict:
    body, headers = _multipart()
    issue = w.issue()
    r = w.api.call("POST", f"/api/companies/{w.cid}/issues/{issue['id']}/attachments", raw=body, headers=headers)
    assert r.status == 201, r
    return r.json


case("GET", "/issues/{issueId}/attachments")(lambda w, a: Req(f"/api/issues/{_attachment(w)['issueId']}/attachments"))
case("GET", "/attachments/{attachmentId}/content")(lambda w, a: Req(_attachment(w)["contentPath"], headers={"Accept": "*/*"}))
case("DELETE", "/attachments/{attachmentId}")(lambda w, a: Req(f"/api/attachments/{_attachment(w)['id']}"))

# --- routines ---------------------------------------------------------------------------------------

case("POST", "/companies/{companyId}/routines")(lambda w, a: Req(
    f"/api/companies/{w.cid}/routines", {"title": "R", "projectId": w.project["id"], "assigneeAgentId": w.alice["id"]}))
case("GET", "/companies/{companyId}/routines")(lambda w, a: Req(f"/api/companies/{w.cid}/routines"))
case("GET", "/routines/{routineId}")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}"))
case("PATCH", "/routines/{routineId}")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}", {"description": "x"}))
case("POST", "/routines/{routineId}/run")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}/run", {}))
case("GET", "/routines/{routineId}/runs")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}/runs"))
case("POST", "/routines/{routineId}/triggers")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}/triggers", {"kind": "api"}))
case("PATCH", "/routine-triggers/{triggerId}")(lambda w, a: Req(
    f"/api/routine-triggers/{w.trigger(w.routine()['id'])['id']}", {"label": "x"}))
case("DELETE", "/routine-triggers/{triggerId}")(lambda w, a: Req(f"/api/routine-triggers/{w.trigger(w.routine()['id'])['id']}"))
case("POST", "/routine-triggers/{triggerId}/rotate-secret")(lambda w, a: Req(
    f"/api/routine-triggers/{w.trigger(w.routine()['id'])['id']}/rotate-secret"))
case("GET", "/routine-triggers/{triggerId}/preview")(lambda w, a: Req(
    f"/api/routine-triggers/{w.trigger(w.routine()['id'], 'schedule')['id']}/preview"))

# --- board users, tokens, memberships -----------------------------------------------------------------

def _user(w, memberships=None) -> str:
    from chalicelib.services.org import board_users

    user, _ = board_users.create(None, {"name": w.unique("User"), "memberships": memberships or {}}, w.clock.now())
    return user.id


def _own_user(w, a) -> str:
    """The caller's own board user (admins act on someone else's: they may); agents name anyone's."""
    if a.is_agent or a.variant == "admin":
        return _user(w)
    return w.api.get("/api/board-users/me", token=a.token).json["id"]


case("GET", "/board-users")(lambda w, a: Req("/api/board-users"))
case("GET", "/board-users/me")(lambda w, a: Req("/api/board-users/me"))
case("PATCH", "/board-users/{userId}")(lambda w, a: Req(f"/api/board-users/{_user(w)}", {"name": "Renamed"}))
case("GET", "/board-users/{userId}/tokens")(lambda w, a: Req(f"/api/board-users/{_own_user(w, a)}/tokens"))
case("POST", "/board-users/{userId}/tokens")(lambda w, a: Req(f"/api/board-users/{_own_user(w, a)}/tokens", {"name": "ci"}))


@case("DELETE", "/board-users/{userId}/tokens/{tokenId}")
def _revoke_board_token(w, a):
    user_id = _own_user(w, a)
    extra = w.api.post(f"/api/board-users/{user_id}/tokens", {"name": "spare"}).json  # as the local board
    return Req(f"/api/board-users/{user_id}/tokens/{extra['id']}")


case("PUT", "/companies/{companyId}/board-members/{userId}")(lambda w, a: Req(
    f"/api/companies/{w.cid}/board-members/{_user(w)}", {"permissions": ["tasks:assign"]}))
case("DELETE", "/companies/{companyId}/board-members/{userId}")(lambda w, a: Req(
    f"/api/companies/{w.cid}/board-members/{_user(w, {w.cid: []})}"))
case("GET", "/instance/activity")(lambda w, a: Req("/api/instance/activity"))
