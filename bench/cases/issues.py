"""Cases for issues, checkout, comments, documents and attachments."""
from __future__ import annotations

from urllib3.filepost import encode_multipart_formdata

from bench.cases.shapes import Call, Case, Listing, invoke, new_issue, seeded_many, unique
from bench.harness import World

CHECKOUT_TARGET, CREATE_ISSUE_TARGET = 4, 6
OPEN = ["todo", "backlog", "blocked"]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16


def _multipart() -> tuple[bytes, dict[str, str]]:
    body, content_type = encode_multipart_formdata({"file": ("pic.png", PNG, "image/png")})
    return body, {"Content-Type": content_type}


def _checkout(issue_id: str, w: World, token: str, run_id: str | None = None, expected=OPEN) -> Call:
    return Call("POST", f"/api/issues/{issue_id}/checkout", token, body={"agentId": w.alice, "expectedStatuses": expected},
                run_id=run_id)


def _checked_out_issue(w: World) -> str:
    issue = new_issue(w, status="todo")["id"]
    w.post(f"/api/issues/{issue}/checkout", {"agentId": w.alice, "expectedStatuses": OPEN}, token=w.alice_jwt, status=200)
    return issue


def _stale_lock(w: World) -> Call:
    """Held by a run that has finished: the caller's run adopts the lock."""
    run_id, jwt = invoke(w, w.alice)
    issue = new_issue(w, status="todo")["id"]
    w.post(f"/api/issues/{issue}/checkout", {"agentId": w.alice, "expectedStatuses": OPEN}, token=jwt, status=200)
    w.post(f"/api/heartbeat-runs/{run_id}/finish", {"status": "succeeded"}, token=jwt, status=200)
    return _checkout(issue, w, w.alice_jwt, expected=OPEN + ["in_progress"])


def _detailed_issue(w: World) -> str:
    """An issue with a parent, a project, a goal and a plan document: every part of GET issue is read."""
    def make() -> str:
        parent = new_issue(w, projectId=w.project, goalId=w.goal)["id"]
        child = new_issue(w, projectId=w.project, goalId=w.goal, parentId=parent)
        w.client.call("PUT", f"/api/issues/{child['id']}/documents/plan", {"format": "markdown", "body": "# Plan"},
                      token=w.board)
        return child["identifier"]

    return w.seeded("detailed-issue", make)


def _document(w: World, key: str | None = None) -> tuple[str, str, dict]:
    issue = w.seeded("doc-issue", lambda: new_issue(w)["id"])
    key = key or unique("notes").replace(" ", "-")
    put = w.client.call("PUT", f"/api/issues/{issue}/documents/{key}", {"format": "markdown", "body": "Draft"}, token=w.board)
    return issue, key, put.json


def _document_update(w: World) -> Call:
    issue, key, doc = _document(w)
    return Call("PUT", f"/api/issues/{issue}/documents/{key}", w.board, 200,
                {"format": "markdown", "body": "Second draft", "baseRevisionId": doc["latestRevisionId"]})


def _attachment(w: World) -> dict:
    issue = w.seeded("file-issue", lambda: new_issue(w)["id"])
    body, headers = _multipart()
    return w.post(f"/api/companies/{w.cid}/issues/{issue}/attachments", raw=body, headers=headers)


def _upload(w: World) -> Call:
    issue = w.seeded("file-issue", lambda: new_issue(w)["id"])
    body, headers = _multipart()
    return Call("POST", f"/api/companies/{w.cid}/issues/{issue}/attachments", w.board, 201, raw=body, headers=headers)


ISSUES = "/api/companies/{companyId}/issues"

CASES = [
    Case("POST", ISSUES, "board", lambda w: Call("POST", f"/api/companies/{w.cid}/issues", w.board, 201, {"title": unique("Issue")}),
         CREATE_ISSUE_TARGET, "unassigned"),
    Case("POST", ISSUES, "board", lambda w: Call(
        "POST", f"/api/companies/{w.cid}/issues", w.board, 201, {"title": unique("Issue"), "assigneeAgentId": w.bob,
                                                                 "projectId": w.project, "goalId": w.goal}),
         CREATE_ISSUE_TARGET, "assigned (wakes Bob), project, goal"),
    Case("POST", ISSUES, "run JWT", lambda w: Call(
        "POST", f"/api/companies/{w.cid}/issues", w.alice_jwt, 201, {"title": unique("Sub-task"), "parentId": _checked_out_issue(w)}),
         CREATE_ISSUE_TARGET, "sub-task of its issue"),
    Case("GET", "/api/issues/{issueId}", "board", lambda w: Call("GET", f"/api/issues/{_detailed_issue(w)}", w.board),
         situation="by identifier; parent, project, goal, plan"),
    Case("GET", "/api/issues/{issueId}", "run JWT", lambda w: Call("GET", f"/api/issues/{new_issue(w)['id']}", w.alice_jwt),
         situation="by id; no relations"),
    Case("PATCH", "/api/issues/{issueId}", "board", lambda w: Call(
        "PATCH", f"/api/issues/{new_issue(w)['id']}", w.board, body={"title": unique("Renamed")}), situation="title"),
    Case("PATCH", "/api/issues/{issueId}", "run JWT", lambda w: Call(
        "PATCH", f"/api/issues/{_checked_out_issue(w)}", w.alice_jwt, body={"status": "done", "comment": "Shipped"}),
         situation="its checkout to done, with a comment"),
    Case("POST", "/api/issues/{issueId}/checkout", "run JWT", lambda w: _checkout(new_issue(w, status="todo")["id"], w, w.alice_jwt),
         CHECKOUT_TARGET, "unassigned todo issue"),
    Case("POST", "/api/issues/{issueId}/checkout", "agent key + run id",
         lambda w: _checkout(new_issue(w, status="todo")["id"], w, w.alice_key, w.alice_run), CHECKOUT_TARGET, "unassigned todo issue"),
    Case("POST", "/api/issues/{issueId}/checkout", "run JWT", lambda w: _checkout(_checked_out_issue(w), w, w.alice_jwt),
         CHECKOUT_TARGET, "same run again (idempotent)"),
    Case("POST", "/api/issues/{issueId}/checkout", "run JWT", _stale_lock, CHECKOUT_TARGET, "stale lock adopted"),
    Case("POST", "/api/issues/{issueId}/release", "run JWT", lambda w: Call(
        "POST", f"/api/issues/{_checked_out_issue(w)}/release", w.alice_jwt), situation="its checkout"),
    Case("POST", "/api/issues/{issueId}/comments", "board", lambda w: Call(
        "POST", f"/api/issues/{new_issue(w, assigneeAgentId=w.alice)['id']}/comments", w.board, 201,
        {"body": "Status?"}), situation="wakes the assignee"),
    Case("POST", "/api/issues/{issueId}/comments", "run JWT", lambda w: Call(
        "POST", f"/api/issues/{_checked_out_issue(w)}/comments", w.alice_jwt, 201,
        {"body": "@\"Bob Builder\" please review"}), situation="on its checkout, @-mentions Bob"),

    Case("GET", "/api/issues/{issueId}/documents/{key}", "board", lambda w: Call(
        "GET", "/api/issues/{0}/documents/{1}".format(*_document(w)), w.board)),
    Case("PUT", "/api/issues/{issueId}/documents/{key}", "board", lambda w: Call(
        "PUT", f"/api/issues/{new_issue(w)['id']}/documents/plan", w.board, 201, {"format": "markdown", "body": "# Plan"}),
         situation="create"),
    Case("PUT", "/api/issues/{issueId}/documents/{key}", "board", _document_update, situation="update (baseRevisionId)"),
    Case("DELETE", "/api/issues/{issueId}/documents/{key}", "board", lambda w: Call(
        "DELETE", "/api/issues/{0}/documents/{1}".format(*_document(w)), w.board, 204)),

    Case("POST", "/api/companies/{companyId}/issues/{issueId}/attachments", "board", _upload, situation="4 KB png"),
    Case("GET", "/api/attachments/{attachmentId}/content", "board", lambda w: Call(
        "GET", f"/api/attachments/{_attachment(w)['id']}/content", w.board, headers={"Accept": "*/*"})),
    Case("DELETE", "/api/attachments/{attachmentId}", "board", lambda w: Call(
        "DELETE", f"/api/attachments/{_attachment(w)['id']}", w.board, 204)),
]

PRODUCT = {"type": "pull_request", "provider": "github", "title": "PR 1", "url": "https://github.com/a/b/pull/1"}


def _work_product(w: World) -> dict:
    issue = w.seeded("product-issue", lambda: new_issue(w)["id"])
    return w.post(f"/api/issues/{issue}/work-products", PRODUCT)


def _comment(w: World) -> Call:
    issue = w.seeded("comment-issue", lambda: new_issue(w)["id"])
    comment = w.post(f"/api/issues/{issue}/comments", {"body": "Note"})
    return Call("GET", f"/api/issues/{issue}/comments/{comment['id']}", w.board)


def _deletable(w: World) -> Call:
    """An issue with a comment, a document and a blocker relation: the cascade touches each kind."""
    blocker = new_issue(w)["id"]
    issue = new_issue(w, blockedByIssueIds=[blocker])["id"]
    w.post(f"/api/issues/{issue}/comments", {"body": "Note"})
    w.client.call("PUT", f"/api/issues/{issue}/documents/plan", {"format": "markdown", "body": "# Plan"}, token=w.board)
    return Call("DELETE", f"/api/issues/{issue}", w.board)


# upstream's issue routes the clients call (issue #14)
CASES += [
    Case("GET", "/api/issues/{issueId}/comments/{commentId}", "board", _comment),
    Case("GET", "/api/issues/{issueId}/heartbeat-context", "run JWT", lambda w: Call(
        "GET", f"/api/issues/{_checked_out_issue(w)}/heartbeat-context", w.alice_jwt), situation="its checkout"),
    Case("GET", "/api/agents/me/inbox-lite", "run JWT", lambda w: Call("GET", "/api/agents/me/inbox-lite", w.alice_jwt)),
    Case("POST", "/api/issues/{issueId}/children", "board", lambda w: Call(
        "POST", f"/api/issues/{new_issue(w)['id']}/children", w.board, 201, {"title": unique("Child")})),
    Case("DELETE", "/api/issues/{issueId}", "board", _deletable, situation="comment, document, blocker",
         repeatable=False),
    Case("POST", "/api/issues/{issueId}/work-products", "board", lambda w: Call(
        "POST", f"/api/issues/{new_issue(w)['id']}/work-products", w.board, 201, PRODUCT)),
    Case("GET", "/api/issues/{issueId}/work-products", "board", lambda w: Call(
        "GET", f"/api/issues/{_work_product(w)['issueId']}/work-products", w.board)),
    Case("PATCH", "/api/work-products/{workProductId}", "board", lambda w: Call(
        "PATCH", f"/api/work-products/{_work_product(w)['id']}", w.board, body={"title": unique("Report")})),
    Case("DELETE", "/api/work-products/{workProductId}", "board", lambda w: Call(
        "DELETE", f"/api/work-products/{_work_product(w)['id']}", w.board), repeatable=False),
]


def _issues(w: World, n: int) -> tuple[str, str]:
    seeded_many(w, "issues", n, lambda i: new_issue(w, priority=("high", "medium", "low")[i % 3]))
    return f"/api/companies/{w.cid}/issues", w.board


def _comments(w: World, n: int) -> tuple[str, str]:
    issue = w.seeded("comment-issue", lambda: new_issue(w)["id"])
    seeded_many(w, "comments", n, lambda i: w.post(f"/api/issues/{issue}/comments", {"body": f"Note {i}"}))
    return f"/api/issues/{issue}/comments", w.board


def _documents(w: World, n: int) -> tuple[str, str]:
    issue = w.seeded(f"docs-{n}", lambda: new_issue(w)["id"])
    seeded_many(w, f"docs-{n}-items", n, lambda i: w.client.call(
        "PUT", f"/api/issues/{issue}/documents/doc-{i}", {"format": "markdown", "body": f"Doc {i}"}, token=w.board))
    return f"/api/issues/{issue}/documents", w.board


def _revisions(w: World, n: int) -> tuple[str, str]:
    issue, key, _ = w.seeded("revised", lambda: _document(w, "history"))

    def revise(i: int) -> dict:
        current = w.get(f"/api/issues/{issue}/documents/{key}")
        return w.client.call("PUT", f"/api/issues/{issue}/documents/{key}", token=w.board, body={
            "format": "markdown", "body": f"Draft {i}", "baseRevisionId": current["latestRevisionId"]}).json

    seeded_many(w, "revisions", n - 1, revise)  # the document's creation is revision 1
    return f"/api/issues/{issue}/documents/{key}/revisions", w.board


def _attachments(w: World, n: int) -> tuple[str, str]:
    issue = w.seeded("listed-files-issue", lambda: new_issue(w)["id"])

    def upload(i: int) -> dict:
        body, headers = _multipart()
        return w.post(f"/api/companies/{w.cid}/issues/{issue}/attachments", raw=body, headers=headers)

    seeded_many(w, "listed-files", n, upload)
    return f"/api/issues/{issue}/attachments", w.board


LISTINGS = [
    Listing(ISSUES, "board", _issues),
    Listing("/api/issues/{issueId}/comments", "board", _comments),
    Listing("/api/issues/{issueId}/documents", "board", _documents, paged=False),
    Listing("/api/issues/{issueId}/documents/{key}/revisions", "board", _revisions),
    Listing("/api/issues/{issueId}/attachments", "board", _attachments),
]
