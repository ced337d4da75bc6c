"""DELETE /api/issues/{issueId} (upstream: validators.md §9.1): the issue and everything that hangs off it.

Who: any board member of the company (upstream's rule); agents under the mutation rule, as upstream's
guard: their own or unassigned issues only (another agent's is 403, or 409 while another active run
holds it), with an active run of their own while the issue is in_progress (401 without a run).

Refused (409 `Issue cannot be deleted because another record still references it.`) while child
issues point at it, as upstream (its parent_id has no delete rule). Not refused for being checked out.

Crash-safe order (nothing is left half-deleted that a retry does not finish):
1. Mark: one conditional write (on the version read) sets `deletingAt` and bumps the version. From
   then on the issue reads as missing (404 everywhere, gone from lists), every write conditioned on its
   version or on its liveness fails (PATCH, checkout, comments, documents, attachments, work products,
   children, blockers), and only a DELETE still finds it. Children are looked for again after the mark
   (a child created just before it): if one is found the mark is undone and the answer is 409.
2. Cascade, each step idempotent: comments (and their clientRequestId keys), documents with their
   revisions and S3 bodies, attachments and their S3 objects, work products (and primary-slot keys),
   blocker relations both ways (dependents lose this blocker; their version is bumped), routine links
   set to null (routines whose parentIssueId it is, the routine's live slot, runs linked to it).
3. The issue item, its identifier key and activity `issue.deleted`, in one transaction.
A DELETE that fails part-way leaves the issue marked (invisible); repeating the DELETE finishes it.

Indexes are eventually consistent: an attachment, work product or child written within moments before
the mark may not be found by the index queries of that same DELETE (documented in
docs/compatibility.md); comments, documents and relations are read from their own partitions.

Response: 200 with the deleted issue, as upstream (SPEC §0 says 204 for DELETE; the clients print the
issue: docs/compatibility.md).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import Conflict, Forbidden
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import issue_comments, issue_guards, issue_lookup
from chalicelib.store import blobs
from chalicelib.store.attachments import Attachment
from chalicelib.store.comments import IssueComment
from chalicelib.store.documents import DocumentRevision, IssueDocument
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issue_relations import IssueRelation
from chalicelib.store.issues import Issue
from chalicelib.store.reads import get_many
from chalicelib.store.routines import Routine, RoutineRun
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, issue_identifier_key
from chalicelib.store.work_products import WorkProduct, primary_slot_key

logger = logging.getLogger("paperclip")
REFERENCED = "Issue cannot be deleted because another record still references it."


def delete(principal: Principal, ref: str, now: datetime) -> Issue:
    issue = issue_lookup.get(principal, ref, "issue.delete", deleting=True)
    if not issue.deleting_at:
        _check_agent(principal, issue, now)
        _refuse_with_children(issue)
        issue = _mark(issue, now)
        if _children(issue):
            _unmark(issue)
            raise Conflict(REFERENCED, {"issueId": issue.id, "childIssueIds": _children(issue)})
    _cascade(issue)
    _remove(principal, issue, now)
    return issue


def _check_agent(principal: Principal, issue: Issue, now: datetime) -> None:
    """Upstream's assertAgentIssueMutationAllowed, with our run rule."""
    if not principal.is_agent:
        return
    holder_id = issue_guards.holder_run_id(principal, issue)
    own_id = issue_guards.caller_run_id(principal, issue)
    keys = [(HeartbeatRun, r) for r in (holder_id, own_id) if r]
    found = get_many(keys) if keys else {}
    issue_guards.refuse_if_held_by_other_run(principal, issue, found.get((HeartbeatRun, holder_id)) if holder_id else None, now)
    if issue.assignee_agent_id not in (None, principal.id):
        raise Forbidden("Agent cannot mutate another agent's issue", issue_guards.checkout_details(issue))
    issue_guards.require_active_run(principal, issue, found.get((HeartbeatRun, own_id)) if own_id else None, now)


def _children(issue: Issue) -> list[str]:
    return [child.id for child in Issue.by_parent.query(issue.id, limit=10, page_size=10)]


def _refuse_with_children(issue: Issue) -> None:
    children = _children(issue)
    if children:
        raise Conflict(REFERENCED, {"issueId": issue.id, "childIssueIds": children})


def _mark(issue: Issue, now: datetime) -> Issue:
    version = issue_guards.next_version(issue)
    stamp = iso(now)
    try:
        Issue(id=issue.id).update(actions=[Issue.deleting_at.set(stamp), Issue.version.set(version)],
                                  condition=issue_guards.unchanged(issue))
    except Exception as exc:  # a concurrent write won: decide again on what it left
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise issue_guards.lost_race(issue)
        raise
    issue.deleting_at, issue.version = stamp, version
    return issue


def _unmark(issue: Issue) -> None:
    Issue(id=issue.id).update(actions=[Issue.deleting_at.remove(), Issue.version.set(issue_guards.next_version(issue))],
                              condition=Issue.deleting_at == issue.deleting_at)


def _cascade(issue: Issue) -> None:
    _delete_comments(issue)
    _delete_documents(issue)
    _delete_attachments(issue)
    _delete_work_products(issue)
    _delete_relations(issue)
    _unlink_routines(issue)


def _delete_comments(issue: Issue) -> None:
    comments = list(IssueComment.query(issue.id, consistent_read=True))
    with UniqueKey.batch_write() as keys:
        for comment in comments:
            if comment.client_request_id:
                author = _Author(comment)
                keys.delete(UniqueKey(key=issue_comments.client_request_key(issue.id, author, comment.client_request_id)))
    with IssueComment.batch_write() as batch:
        for comment in comments:
            batch.delete(comment)


class _Author:
    """Who wrote a comment, as issue_comments.client_request_key names authors."""

    def __init__(self, comment: IssueComment):
        self.actor_type = "agent" if comment.author_agent_id else "board"
        self.id = comment.author_agent_id or comment.author_user_id


def _delete_documents(issue: Issue) -> None:
    for document in IssueDocument.query(issue.id, consistent_read=True):
        revisions = list(DocumentRevision.query(document.id, consistent_read=True))
        with DocumentRevision.batch_write() as batch:
            for revision in revisions:
                batch.delete(revision)
        for key in {r.body_blob for r in revisions if r.body_blob} | ({document.body_blob} if document.body_blob else set()):
            blobs.delete_quietly(key)
        document.delete()


def _delete_attachments(issue: Issue) -> None:
    attachments = list(Attachment.by_issue.query(issue.id))
    with Attachment.batch_write() as batch:
        for attachment in attachments:
            batch.delete(attachment)
    for attachment in attachments:
        blobs.delete_quietly(attachment.blob_key)


def _delete_work_products(issue: Issue) -> None:
    products = list(WorkProduct.by_issue.query(issue.id))
    with UniqueKey.batch_write() as keys:
        for product_type in {p.type for p in products if p.is_primary}:
            keys.delete(UniqueKey(key=primary_slot_key(issue.id, product_type)))
    with WorkProduct.batch_write() as batch:
        for product in products:
            batch.delete(product)


def _delete_relations(issue: Issue) -> None:
    """Both directions: the reverse edges of its own blockers, and its place in its dependents' sets."""
    with IssueRelation.batch_write() as batch:
        for blocker_id in sorted(issue.blocked_by or ()):
            batch.delete(IssueRelation(issue_id=blocker_id, related_issue_id=issue.id))
    for relation in IssueRelation.query(issue.id, consistent_read=True):
        try:  # no read needed: a set DELETE of one element, and a version bump for concurrent PATCHes to notice
            Issue(id=relation.related_issue_id).update(
                actions=[Issue.blocked_by.delete({issue.id}), Issue.version.add(1)], condition=Issue.id.exists())
        except Exception as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
        relation.delete()


def _unlink_routines(issue: Issue) -> None:
    """Upstream sets these references to null: routines whose parentIssueId this is, and what a
    routine execution issue's routine says about it (its live slot, the runs linked to it)."""
    for routine in Routine.by_company.query(issue.company_id, filter_condition=Routine.parent_issue_id == issue.id):
        _quietly(lambda r=routine: r.update(actions=[Routine.parent_issue_id.remove()],
                                            condition=Routine.parent_issue_id == issue.id))
    if issue.origin_kind != "routine_execution" or not issue.origin_id:
        return
    _quietly(lambda: Routine(id=issue.origin_id).update(
        actions=[Routine.live_issue_id.remove(), Routine.live_run_id.remove()], condition=Routine.live_issue_id == issue.id))
    for run in RoutineRun.by_routine.query(issue.origin_id, filter_condition=RoutineRun.linked_issue_id == issue.id):
        _quietly(lambda r=run: r.update(actions=[RoutineRun.linked_issue_id.remove()],
                                        condition=RoutineRun.linked_issue_id == issue.id))


def _quietly(write: Any) -> None:
    """A conditional write whose condition failing means someone changed the link meanwhile: fine."""
    try:
        write()
    except Exception as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise


def _remove(principal: Principal, issue: Issue, now: datetime) -> None:
    tx = Transaction()
    tx.delete(Issue(id=issue.id), condition=Issue.deleting_at.exists(), tag="issue")
    tx.delete(UniqueKey(key=issue_identifier_key(issue.identifier)))
    tx.save(activity.entry(principal, issue.company_id, "issue.deleted", "issue", issue.id, now,
                           {"identifier": issue.identifier, "title": issue.title, "status": issue.status}))
    try:
        tx.commit()
    except TransactionConflict:  # a concurrent DELETE finished first
        pass
