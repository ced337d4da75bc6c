"""Authorization matrix cases: issues, comments, documents and attachments."""
from __future__ import annotations

from tests.e2e.authz.cases import Req, case, _multipart

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


# --- upstream's issue routes the clients call (issue #14) -------------------------------------------

case("DELETE", "/issues/{issueId}")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}"))
case("POST", "/issues/{issueId}/children")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}/children", {"title": "Sub"}))
case("GET", "/issues/{issueId}/heartbeat-context")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}/heartbeat-context"))
case("GET", "/agents/me/inbox-lite")(lambda w, a: Req("/api/agents/me/inbox-lite"))


@case("GET", "/issues/{issueId}/comments/{commentId}")
def _comment(w, a):
    issue = w.issue()
    comment = w.post(f"/api/issues/{issue['id']}/comments", {"body": "hi"})
    return Req(f"/api/issues/{issue['id']}/comments/{comment['id']}")


PRODUCT = {"type": "pull_request", "provider": "github", "title": "PR 1", "url": "https://github.com/a/b/pull/1"}


def _work_product(w) -> dict:
    return w.post(f"/api/issues/{w.issue()['id']}/work-products", PRODUCT)


case("POST", "/issues/{issueId}/work-products")(lambda w, a: Req(f"/api/issues/{w.issue()['id']}/work-products", PRODUCT))
case("GET", "/issues/{issueId}/work-products")(lambda w, a: Req(f"/api/issues/{_work_product(w)['issueId']}/work-products"))
case("PATCH", "/work-products/{workProductId}")(lambda w, a: Req(f"/api/work-products/{_work_product(w)['id']}",
                                                                 {"title": "Final report"}))
case("DELETE", "/work-products/{workProductId}")(lambda w, a: Req(f"/api/work-products/{_work_product(w)['id']}"))
