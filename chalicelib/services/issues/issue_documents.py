"""Issue documents: keyed, revisioned markdown on an issue (SPEC §4 "Documents").

Every write is ONE transaction: the document item (conditioned on the revision the writer started
from, or on not existing yet), the new immutable revision, and the activity entry. Of any number of
concurrent writers from the same base revision exactly one commits; the others get 409 with the
revision that won.

Large bodies go to S3 before the transaction (see store/documents.py) and are deleted again if the
transaction does not commit.

Documented choices: a PUT without `title` keeps the current title (an explicit null clears it); any
principal that can see the issue may read its documents; agents write them under the rule of PATCH
and comments (a run while the issue is in_progress; 409 while another active run holds the checkout);
only board users may delete (SPEC §4).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from chalicelib import response_size
from chalicelib.clock import iso
from chalicelib.errors import BadRequest, Conflict, NotFound, PayloadTooLarge
from chalicelib.ids import new_id
from chalicelib.services import activity
from chalicelib.services.issues import issue_guards, issue_lookup
from chalicelib.services.access.principals import Principal
from chalicelib.store import blobs
from chalicelib.store.documents import INLINE_BODY_MAX_BYTES, DocumentRevision, IssueDocument, body_blob_key
from chalicelib.store.issues import Issue
from chalicelib.store.pages import Page, encode_cursor, query_page, resume_after_of
from chalicelib.store.transactions import Transaction, TransactionConflict

KEY_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
KEY_MAX = 64
# A revisions page stops before its bodies pass this many bytes of JSON (a Lambda response is at most
# 6 MB); it always holds at least one revision, and X-Next-Cursor continues after the last one.
REVISIONS_PAGE_BODY_BUDGET = 4 * 1024 * 1024
# A body may take at most this many bytes once escaped for the Lambda envelope (issue #11), so GET
# document, a revision and GET issue (its plan beside a 100,000-character description: ~5.7 MB at
# worst, tests/e2e/test_response_sizes.py) always fit a 6 MB response. 524,288 characters (upstream's
# limit) of control characters (7 bytes each escaped) or of other non-ASCII BMP characters (6) fit;
# only a body of more than ~349,000 characters beyond the BMP (12 bytes each: emoji) is a 413
# (docs/compatibility.md).
BODY_MAX_ENVELOPE_BYTES = 4 * 1024 * 1024
_FETCH_THREADS = 8
logger = logging.getLogger("paperclip")


def normalize_key(raw: str | None) -> str:
    key = (raw or "").lower()
    if len(key) > KEY_MAX or not KEY_RE.fullmatch(key):
        raise BadRequest("Invalid document key", {
            "key": "1..64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit",
        })
    return key


# --------------------------------------------------------------------------- reads

# Upstream's system documents: hidden from the list unless asked for (`includeSystem=true`).
SYSTEM_KEYS = ("continuation-summary", "pipeline-case-body")
# GET issue embeds the summaries of at most this many documents, the first by key (fewer when the
# response would pass its budget: issue_detail.py); GET /issues/{issueId}/documents pages through all.
SUMMARIES_SHOWN = 200


def list_documents(principal: Principal, issue_ref: str, include_system: bool, limit: int, cursor: str | None) -> Page:
    """GET /issues/{issueId}/documents: one page of the issue's documents by key, as IssueDocument
    items (serialize with summary_json). System documents only with `include_system`; a page may then
    hold fewer than `limit` (issue 11: pages, so that no number of documents passes Lambda's 6 MB)."""
    issue = issue_lookup.get(principal, issue_ref)
    page = query_page(IssueDocument, issue.id, limit=limit, cursor=cursor)
    if not include_system:  # `key` is the range key, which a FilterExpression may not name
        page = dataclasses.replace(page, items=[d for d in page.items if d.key not in SYSTEM_KEYS])
    return page


def get_document(principal: Principal, issue_ref: str, key: str) -> dict[str, Any]:
    issue = issue_lookup.get(principal, issue_ref)
    document = _find(issue.id, normalize_key(key))
    if document is None:
        raise NotFound("Document not found", {"key": key.lower()})
    return to_json(document, _body_of(document))


def find_json(issue_id: str, key: str) -> dict[str, Any] | None:
    """A document of the issue with its body, or None (no access check: for callers that made it)."""
    document = _find(issue_id, key)
    return to_json(document, _body_of(document)) if document is not None else None


def plan_and_summaries_json(issue_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """For GET issue: the full `plan` document (or None) and the summaries of the first
    SUMMARIES_SHOWN documents by key, from one Query (plus a GetItem for the plan when the issue has
    more documents than that and `plan` is not among the first)."""
    documents = list(IssueDocument.query(issue_id, consistent_read=True, limit=SUMMARIES_SHOWN))
    plan = next((d for d in documents if d.key == "plan"), None)
    if plan is None and len(documents) == SUMMARIES_SHOWN:
        plan = _find(issue_id, "plan")
    return (to_json(plan, _body_of(plan)) if plan else None), [summary_json(d) for d in documents]


def list_revisions(principal: Principal, issue_ref: str, key: str, limit: int, cursor: str | None) -> Page:
    """Newest first; items are (revision, body) pairs."""
    issue = issue_lookup.get(principal, issue_ref)
    document = _find(issue.id, normalize_key(key))
    if document is None:
        raise NotFound("Document not found", {"key": key.lower()})
    page = query_page(DocumentRevision, document.id, limit=limit, cursor=cursor, newest_first=True)
    kept: list[DocumentRevision] = []
    total = 0
    for revision in page.items:
        if kept and total + revision.wire_bytes > REVISIONS_PAGE_BODY_BUDGET:
            break
        kept.append(revision)
        total += revision.wire_bytes
    next_cursor = page.next_cursor
    if len(kept) < len(page.items):
        last = kept[-1]
        next_cursor = encode_cursor({"document_id": {"S": last.document_id}, "revision_number": {"N": str(last.revision_number)}})
    base = resume_after_of(DocumentRevision)
    return Page(items=list(zip(kept, _bodies_of(kept))), next_cursor=next_cursor, resume_after=lambda pair: base(pair[0]))


def _find(issue_id: str, key: str) -> IssueDocument | None:
    try:
        return IssueDocument.get(issue_id, key, consistent_read=True)
    except IssueDocument.DoesNotExist:
        return None


def _body_of(item: IssueDocument | DocumentRevision) -> str:
    if item.body_blob:
        return blobs.get(item.body_blob).decode("utf-8")
    return item.body or ""


def _bodies_of(items: list[DocumentRevision]) -> list[str]:
    """Only external bodies cost a request; several are fetched at once."""
    external = [i for i in items if i.body_blob]
    if len(external) <= 1:
        return [_body_of(i) for i in items]
    with ThreadPoolExecutor(min(_FETCH_THREADS, len(external))) as pool:
        fetched = dict(zip((i.body_blob for i in external), pool.map(_body_of, external)))
    return [fetched[i.body_blob] if i.body_blob else (i.body or "") for i in items]


# --------------------------------------------------------------------------- writes

def put_document(principal: Principal, issue_ref: str, key: str, data: dict[str, Any], now: datetime) -> tuple[dict[str, Any], bool]:
    """Create (revision 1) or update (next revision); returns (document JSON, created?)."""
    issue = issue_lookup.get(principal, issue_ref, "issue.write")
    issue_guards.require_agent_may_write(principal, issue, now)
    key = normalize_key(key)
    _require_body_fits(data["body"])
    base = data.get("baseRevisionId")
    current = _find(issue.id, key)
    if current is None:
        if base:
            raise Conflict("Document does not exist: omit baseRevisionId to create it", {"key": key, "currentRevisionId": None})
        return _create(principal, issue, key, data, now), True
    if base != current.latest_revision_id:
        raise _revision_conflict(current, base)
    return _update(principal, issue, current, data, now), False


def _require_body_fits(body: str) -> None:
    size = response_size.escaped_len(body)
    if size > BODY_MAX_ENVELOPE_BYTES:
        raise PayloadTooLarge("Document body too large once JSON-escaped", {
            "body": f"{size} bytes escaped; at most {BODY_MAX_ENVELOPE_BYTES} (characters beyond the BMP take 12 each)",
        })


def _create(principal: Principal, issue: Issue, key: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    stamp = iso(now)
    document_id, revision_id = new_id(), new_id()
    body = data["body"]
    inline, blob, size = _store_body(issue, document_id, revision_id, body)
    document = IssueDocument(
        issue_id=issue.id, key=key, id=document_id, company_id=issue.company_id, title=data.get("title"),
        format=data["format"], body=inline, body_blob=blob, body_bytes=size, latest_revision_id=revision_id,
        latest_revision_number=1, created_at=stamp, updated_at=stamp,
    )
    tx = Transaction()
    tx.save(document, condition=IssueDocument.issue_id.does_not_exist(), tag="document")
    tx.save(_revision(principal, document, body, data.get("changeSummary"), stamp), condition=DocumentRevision.document_id.does_not_exist(), tag="revision")
    tx.save(activity.entry(principal, issue.company_id, "issue.document_created", "issue", issue.id, now, _details(document)))
    issue_guards.add_issue_unchanged(tx, principal, issue)
    try:
        blobs.commit_referencing(tx, blob, committed=lambda: _latest_is(issue.id, key, revision_id))
    except TransactionConflict as conflict:  # created by someone else meanwhile, or the issue checked out
        if "issue" in conflict.tags:
            raise issue_guards.lost_race(issue)
        raise _revision_conflict(_find(issue.id, key), None)
    return to_json(document, body)


def add_initial_plan_ops(tx: Transaction, principal: Principal, issue: Issue, body: str, now: datetime) -> str | None:
    """A new issue's `plan` document (title "Plan", revision 1) from create's `initialPlan`, added to the
    issue's own create transaction. Returns the S3 key of a large body, written before: commit with
    blobs.commit_referencing so a failed create leaves nothing behind."""
    if not body.strip():
        return None
    stamp = iso(now)
    document_id, revision_id = new_id(), new_id()
    inline, blob, size = _store_body(issue, document_id, revision_id, body)
    document = IssueDocument(
        issue_id=issue.id, key="plan", id=document_id, company_id=issue.company_id, title="Plan", format="markdown",
        body=inline, body_blob=blob, body_bytes=size, latest_revision_id=revision_id, latest_revision_number=1,
        created_at=stamp, updated_at=stamp,
    )
    tx.save(document, condition=IssueDocument.issue_id.does_not_exist(), tag="document")
    tx.save(_revision(principal, document, body, None, stamp), condition=DocumentRevision.document_id.does_not_exist(),
            tag="revision")
    tx.save(activity.entry(principal, issue.company_id, "issue.document_created", "issue", issue.id, now, _details(document)))
    return blob


def _update(principal: Principal, issue: Issue, current: IssueDocument, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    stamp = iso(now)
    base = current.latest_revision_id
    revision_id = new_id()
    body = data["body"]
    inline, blob, size = _store_body(issue, current.id, revision_id, body)
    title = data["title"] if "title" in data else current.title
    updated = IssueDocument(
        issue_id=issue.id, key=current.key, id=current.id, company_id=current.company_id, title=title,
        format=data["format"], body=inline, body_blob=blob, body_bytes=size, latest_revision_id=revision_id,
        latest_revision_number=current.latest_revision_number + 1, created_at=current.created_at, updated_at=stamp,
    )
    actions = [
        _set_or_remove(IssueDocument.title, title),
        IssueDocument.format.set(updated.format),
        _set_or_remove(IssueDocument.body, inline),
        _set_or_remove(IssueDocument.body_blob, blob),
        IssueDocument.body_bytes.set(size),
        IssueDocument.latest_revision_id.set(revision_id),
        IssueDocument.latest_revision_number.set(updated.latest_revision_number),
        IssueDocument.updated_at.set(stamp),
    ]
    tx = Transaction()
    # The whole concurrency rule: only a writer that started from the latest revision may add the next.
    tx.update(current, actions=actions, condition=IssueDocument.latest_revision_id == base, tag="document")
    tx.save(_revision(principal, updated, body, data.get("changeSummary"), stamp), condition=DocumentRevision.document_id.does_not_exist(), tag="revision")
    tx.save(activity.entry(principal, issue.company_id, "issue.document_updated", "issue", issue.id, now, _details(updated)))
    issue_guards.add_issue_unchanged(tx, principal, issue)
    try:
        blobs.commit_referencing(tx, blob, committed=lambda: _latest_is(issue.id, current.key, revision_id))
    except TransactionConflict as conflict:
        if "issue" in conflict.tags:
            raise issue_guards.lost_race(issue)
        raise _revision_conflict(_find(issue.id, current.key), base)
    return to_json(updated, body)


def delete_document(principal: Principal, issue_ref: str, key: str, now: datetime) -> None:
    issue = issue_lookup.get(principal, issue_ref, "issue.document_delete")
    key = normalize_key(key)
    document = _find(issue.id, key)
    if document is None:
        raise NotFound("Document not found", {"key": key})
    tx = Transaction()
    tx.delete(document, condition=IssueDocument.id == document.id, tag="document")
    tx.save(activity.entry(principal, issue.company_id, "issue.document_deleted", "issue", issue.id, now,
                           {"key": key, "documentId": document.id, "revisionNumber": document.latest_revision_number}))
    try:
        tx.commit()
    except TransactionConflict:
        raise NotFound("Document not found", {"key": key})
    _purge_revisions(document.id)


def _purge_revisions(document_id: str) -> None:
    """Best effort, after the document is gone: its revisions and bodies are unreachable from then on, so
    anything left behind by a failure here is garbage, never visible data."""
    try:
        revisions = list(DocumentRevision.query(document_id, consistent_read=True))
        with DocumentRevision.batch_write() as batch:
            for revision in revisions:
                batch.delete(revision)
    except Exception:  # noqa: BLE001
        logger.warning("could not delete document revisions", extra={"documentId": document_id}, exc_info=True)
        return
    for revision in revisions:
        if revision.body_blob:
            blobs.delete_quietly(revision.body_blob)


def _store_body(issue: Issue, document_id: str, revision_id: str, body: str) -> tuple[str | None, str | None, int]:
    """(inline body, blob key, UTF-8 size): small bodies stay in the item, large ones go to S3 first."""
    raw = body.encode("utf-8")
    if len(raw) <= INLINE_BODY_MAX_BYTES:
        return body, None, len(raw)
    blob = body_blob_key(issue.company_id, issue.id, document_id, revision_id)
    blobs.put(blob, raw, "text/markdown; charset=utf-8")
    return None, blob, len(raw)


def _revision(principal: Principal, document: IssueDocument, body: str, change_summary: str | None, stamp: str) -> DocumentRevision:
    return DocumentRevision(
        wire_bytes=len(json.dumps(body)),
        document_id=document.id, revision_number=document.latest_revision_number, id=document.latest_revision_id,
        issue_id=document.issue_id, company_id=document.company_id, key=document.key, title=document.title,
        format=document.format, body=document.body, body_blob=document.body_blob, body_bytes=document.body_bytes,
        change_summary=change_summary, actor_type=principal.actor_type, actor_id=principal.id,
        run_id=principal.run_id, created_at=stamp,
    )


def _latest_is(issue_id: str, key: str, revision_id: str) -> bool:
    document = _find(issue_id, key)
    return document is not None and document.latest_revision_id == revision_id


def _revision_conflict(current: IssueDocument | None, base: str | None) -> Conflict:
    details = {
        "key": current.key if current else None,
        "baseRevisionId": base,
        "currentRevisionId": current.latest_revision_id if current else None,
        "currentRevisionNumber": current.latest_revision_number if current else None,
    }
    if current is None:
        return Conflict("Document does not exist", details)
    if base is None:
        return Conflict("Document already exists: pass its latest revision as baseRevisionId to update it", details)
    return Conflict("Document was updated by someone else: baseRevisionId is stale", details)


def _set_or_remove(attribute: Any, value: Any) -> Any:
    return attribute.set(value) if value is not None else attribute.remove()


def _details(document: IssueDocument) -> dict[str, Any]:
    return {"key": document.key, "documentId": document.id, "revisionId": document.latest_revision_id,
            "revisionNumber": document.latest_revision_number}


# --------------------------------------------------------------------------- JSON

def summary_json(document: IssueDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "companyId": document.company_id,
        "issueId": document.issue_id,
        "key": document.key,
        "title": document.title,
        "format": document.format,
        "latestRevisionId": document.latest_revision_id,
        "latestRevisionNumber": document.latest_revision_number,
        "createdAt": document.created_at,
        "updatedAt": document.updated_at,
    }


def to_json(document: IssueDocument, body: str) -> dict[str, Any]:
    return {**summary_json(document), "body": body}


def revision_json(revision: DocumentRevision, body: str) -> dict[str, Any]:
    return {
        "id": revision.id,
        "documentId": revision.document_id,
        "issueId": revision.issue_id,
        "key": revision.key,
        "revisionNumber": revision.revision_number,
        "title": revision.title,
        "format": revision.format,
        "body": body,
        "changeSummary": revision.change_summary,
        "createdByAgentId": revision.actor_id if revision.actor_type == "agent" else None,
        "createdByUserId": revision.actor_id if revision.actor_type == "board" else None,
        "createdAt": revision.created_at,
    }
