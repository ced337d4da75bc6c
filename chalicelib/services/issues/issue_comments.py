"""Issue comments: listing, reading one, and posting with what a comment does to its issue (SPEC §4;
upstream: validators.md §5.5, §9.6, §9.13).

Listing (`GET /api/issues/{issueId}/comments`, upstream's semantics): newest first unless
`order=asc`; `after` (or `afterCommentId`) names a comment of this issue and keeps only the comments
strictly after it (asc) or before it (desc); an anchor that is not a comment of this issue gives `[]`,
as upstream. Pages: at most `limit` comments (1..500, default 500) and at most PAGE_BUDGET_BYTES of
JSON as the Lambda envelope carries it (chalicelib/response_size.py: a response is at most 6 MB, and a
64K-character comment can take 770 KB escaped; upstream returns every comment), one Query each, with
X-Next-Cursor when more remain. Comments are found by id through an index (store/comments.py): a
comment is there within moments of being written, not at once; until then, as an anchor it gives `[]`
and by id a 404.

Posting is ONE transaction: the comment, activity `issue.comment_added`, the issue's comment count
(conditioned on the assignee, checkout and liveness this call decided on), the reopen when the comment
reopens the issue (logic/comment_followup.py), the binding of `attachmentIds`, the `clientRequestId`
key, and the wakeups: every mentioned agent (`issue_comment_mentioned`; `@Name`, `@"Multi Word"` and
upstream's `[@Name](agent://<id>)`), and the assignee (`issue_commented`, or
`issue_reopened_via_comment`) when the rules say so. One wakeup per agent per comment, never the
author itself (except an explicit `resume`, upstream's follow-up request). At most
MAX_MENTION_WAKEUPS mentioned agents are woken per comment (a transaction holds 100 items).

Who may: board users may set `presentation`, `metadata`, `onBehalfOfUserId`, `authorType` user or
system, and `interrupt` (which cancels the run holding the issue, in the same transaction); agents
get 403 for those. Agents follow the rule of PATCH: an active run of their own while the issue is
in_progress, and 409 while another active run holds it (upstream lets any agent comment; SPEC §4
keeps the lock). `attachmentIds`: at most 20 files of this issue not bound to another comment (422,
409); an agent's must come from its own current run (422).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib import response_size
from chalicelib.clock import epoch_ms, iso
from chalicelib.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.logic import comment_followup, issue_status
from chalicelib.logic.mentions import mentioned_agent_ids as structured_mention_ids, mentioned_names
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import execution_close, issue_blockers, issue_guards, issue_lookup
from chalicelib.store.agents import Agent
from chalicelib.store.attachments import Attachment
from chalicelib.store.comments import IssueComment, comment_sort_key
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue, list_sort_key
from chalicelib.store.pages import Page, encode_cursor, query_page
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, agent_name_key

MAX_MENTION_WAKEUPS = 25
MAX_MENTIONED_NAMES = 25  # names looked up per comment: one read, however long the body
LIST_DEFAULT = LIST_MAX = 500  # upstream: every comment (limit ≤ 500 when given)
PAGE_BUDGET_BYTES = response_size.PAGE_BUDGET  # envelope bytes
STRUCTURED_MAX_BYTES = 32 * 1024  # presentation + metadata of one comment, as JSON (413 beyond)


# --- reads -----------------------------------------------------------------------------------------


def list_comments(principal: Principal, ref: str, *, order: str | None, anchor: str | None, limit: int,
                  cursor: str | None) -> Page:
    issue = issue_lookup.get(principal, ref)
    newest_first = (order or "").lower() != "asc"
    condition = None
    if anchor is not None:
        anchor_comment = find_by_id(anchor)
        if anchor_comment is None or anchor_comment.issue_id != issue.id:
            return Page(items=[], next_cursor=None)
        condition = (IssueComment.sort_key < anchor_comment.sort_key if newest_first
                     else IssueComment.sort_key > anchor_comment.sort_key)
    page = query_page(IssueComment, issue.id, limit=limit, cursor=cursor, newest_first=newest_first,
                      range_key_condition=condition)
    return _within_budget(page)


def _within_budget(page: Page) -> Page:
    """Cut a page before its JSON passes PAGE_BUDGET_BYTES (at least one comment is kept)."""
    kept: list[IssueComment] = []
    total = 0
    for comment in page.items:
        size = response_size.body_len(to_json(comment)) + 1
        if kept and total + size > PAGE_BUDGET_BYTES:
            last = kept[-1]
            return Page(items=kept, next_cursor=encode_cursor({"issue_id": {"S": last.issue_id},
                                                               "sort_key": {"S": last.sort_key}}),
                        resume_after=page.resume_after)
        kept.append(comment)
        total += size
    return page


def find_by_id(comment_id: str) -> IssueComment | None:
    """The comment with this id (through the by-id index), or None; a non-UUID is None without a read."""
    if not is_uuid((comment_id or "").lower()):
        return None
    return next(iter(IssueComment.by_id.query(comment_id.lower(), limit=1)), None)


def get_comment(principal: Principal, ref: str, comment_id: str) -> IssueComment:
    issue = issue_lookup.get(principal, ref)
    comment = find_by_id(comment_id)
    if comment is None or comment.issue_id != issue.id:
        raise NotFound("Comment not found")
    return comment


def latest(issue_id: str) -> IssueComment | None:
    return next(iter(IssueComment.query(issue_id, scan_index_forward=False, limit=1, consistent_read=True)), None)


def count(issue: Issue) -> int:
    """Issues written before comments were counted are counted once, by a COUNT Query."""
    if issue.comment_count is not None:
        return int(issue.comment_count)
    return IssueComment.count(issue.id, consistent_read=True)


def mentioned_agent_ids(company_id: str, body: str) -> list[str]:
    """Ids of the agents `body` mentions: structured `agent://` links first, then names through the
    agents' unique-name keys (one read of the first MAX_MENTIONED_NAMES names, whatever the size of
    the company). The agents' items are read (and their company checked) before waking them."""
    ids = [i for i in structured_mention_ids(body) if is_uuid(i)]
    names = mentioned_names(body)[:MAX_MENTIONED_NAMES]
    keys = [(UniqueKey, agent_name_key(company_id, name)) for name in names]
    owners = get_many(keys) if keys else {}
    ids += [owners[key].ref for key in keys if owners[key] is not None and owners[key].ref]
    return list(dict.fromkeys(ids))[:MAX_MENTION_WAKEUPS]


# --- posting ---------------------------------------------------------------------------------------


@dataclass
class CommentRequest:
    """A comment as POST /comments (or PATCH's `comment` and its companions) asked for it."""

    body: str
    reopen: bool = False
    resume: bool = False
    interrupt: bool = False
    attachment_ids: list[str] = field(default_factory=list)
    client_request_id: str | None = None
    on_behalf_of_user_id: str | None = None
    author_type: str | None = None
    presentation: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    adds_blockers: bool = False  # PATCH: the same request sets a non-empty blocker list
    explicit_status: bool = False  # PATCH: the same request sets the status

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> "CommentRequest":
        return cls(body=data["body"], reopen=bool(data.get("reopen")), resume=bool(data.get("resume")),
                   interrupt=bool(data.get("interrupt")), attachment_ids=[a.lower() for a in data.get("attachmentIds") or []],
                   client_request_id=(data.get("clientRequestId") or "").lower() or None,
                   on_behalf_of_user_id=data.get("onBehalfOfUserId"), author_type=data.get("authorType"),
                   presentation=data.get("presentation"), metadata=data.get("metadata"))


def check_request(principal: Principal, req: CommentRequest) -> None:
    """What only the board may ask for (403 for agents), and the size of the structured fields (413)."""
    if principal.is_agent:
        if req.presentation is not None or req.metadata is not None:
            raise Forbidden("Only board users may set structured comment presentation or metadata")
        if req.on_behalf_of_user_id is not None:
            raise Forbidden("Agents cannot comment on behalf of a user", {"onBehalfOfUserId": req.on_behalf_of_user_id})
        if req.author_type not in (None, "agent"):
            raise Forbidden("Agents author comments as agents", {"authorType": req.author_type})
        if req.interrupt:
            raise Forbidden("Only board users can interrupt active runs from issue comments")
    elif req.author_type == "agent":
        raise Forbidden("Board users cannot author comments as agents", {"authorType": "agent"})
    size = len(json.dumps([req.presentation, req.metadata], ensure_ascii=False).encode("utf-8"))
    if size > STRUCTURED_MAX_BYTES:
        raise PayloadTooLarge("presentation and metadata are too large", {"maxBytes": STRUCTURED_MAX_BYTES, "byteSize": size})


@dataclass
class Reads:
    """Everything a comment's decision reads, in one batch with the call's other reads."""

    mentioned_ids: list[str]
    attachment_ids: list[str]
    blocker_ids: list[str]
    interrupt_run_id: str | None

    @classmethod
    def plan(cls, principal: Principal, issue: Issue, req: CommentRequest, mentioned_ids: list[str]) -> "Reads":
        blockers = sorted(issue.blocked_by or ()) if issue.status == "blocked" else []
        interrupt = issue.checkout_run_id if req.interrupt and not principal.is_agent else None
        return cls(mentioned_ids, req.attachment_ids, blockers, interrupt)

    def keys(self) -> list[tuple[type, str]]:
        return ([(Agent, a) for a in self.mentioned_ids] + [(Attachment, a) for a in self.attachment_ids]
                + [(Issue, b) for b in self.blocker_ids]
                + ([(HeartbeatRun, self.interrupt_run_id)] if self.interrupt_run_id else []))


@dataclass
class CommentPlan:
    """What one comment will write: decided from the issue and the reads, before the transaction."""

    comment: IssueComment
    req: CommentRequest
    outcome: comment_followup.Outcome
    mentioned: list[Agent]
    attachments: list[Attachment]
    interrupt_run: HeartbeatRun | None


def plan(principal: Principal, issue: Issue, req: CommentRequest, reads: Reads, found: dict[Any, Any],
         final_assignee_id: str | None, status_after_patch: str | None, now: datetime) -> CommentPlan:
    """Decide (403/409/422 here) what the comment does. `final_assignee_id` / `status_after_patch`: the
    issue as a PATCH in the same call leaves it (the comment applies to that state)."""
    status = status_after_patch or issue.status
    blockers = [found.get((Issue, b)) for b in reads.blocker_ids]
    try:
        outcome = comment_followup.decide(comment_followup.Comment(
            status=status, assignee_agent_id=final_assignee_id, author_is_agent=principal.is_agent,
            author_id=principal.id, author_run_id=principal.run_id, checkout_run_id=issue.checkout_run_id,
            reopen=req.reopen, resume=req.resume, adds_blockers=req.adds_blockers, explicit_status=req.explicit_status,
            unresolved_blockers=bool(issue_blockers.unresolved(blockers)) if status == "blocked" else False,
        ))
    except comment_followup.Refused as exc:
        raise (Forbidden if exc.status == 403 else Conflict)(exc.message, {"issueId": issue.id, "status": status})
    attachments = _attachments(principal, issue, req, found)
    mentioned = [a for a in (found.get((Agent, i)) for i in reads.mentioned_ids)
                 if a is not None and a.company_id == issue.company_id]
    run = found.get((HeartbeatRun, reads.interrupt_run_id)) if reads.interrupt_run_id else None
    return CommentPlan(new_comment(principal, issue, req, now), req, outcome, mentioned, attachments,
                       run if run is not None and run.status == "running" else None)


def _attachments(principal: Principal, issue: Issue, req: CommentRequest, found: dict[Any, Any]) -> list[Attachment]:
    """Upstream's attachmentIds rules (validators.md §9.13)."""
    files = [found.get((Attachment, a)) for a in req.attachment_ids]
    if any(f is None or f.issue_id != issue.id or f.company_id != issue.company_id for f in files):
        raise Unprocessable("Comment attachments must belong to the same task and company", {"attachmentIds": req.attachment_ids})
    if principal.is_agent and files:
        if not principal.run_id:
            raise Unprocessable("Agent comment attachments require the current registered run")
        if any(f.actor_id != principal.id or f.run_id != principal.run_id for f in files):
            raise Unprocessable("Comment attachments must originate from the same agent and current run",
                                {"attachmentIds": req.attachment_ids})
    bound = [f.id for f in files if f.issue_comment_id]
    if bound:
        raise Conflict("Attachments are already bound to another comment",
                       {"code": "issue_comment_attachments_already_bound", "attachmentIds": bound})
    return files


def new_comment(principal: Principal, issue: Issue, req: CommentRequest, now: datetime) -> IssueComment:
    stamp, comment_id = iso(now), new_id()
    author_type = req.author_type if req.author_type in ("user", "system") else principal.actor_type
    return IssueComment(
        issue_id=issue.id,
        sort_key=comment_sort_key(stamp, comment_id),
        id=comment_id,
        company_id=issue.company_id,
        author_type=author_type,
        author_agent_id=principal.id if principal.is_agent else None,
        author_user_id=None if principal.is_agent else principal.id,
        body=req.body,
        created_at=stamp,
        created_by_run_id=principal.run_id if principal.is_agent else None,
        client_request_id=req.client_request_id,
        on_behalf_of_user_id=req.on_behalf_of_user_id,
        presentation=req.presentation,
        metadata=req.metadata,
        follow_up_requested=True if req.resume else None,
    )


def reopen_values(issue: Issue, p: CommentPlan, now: datetime) -> dict[str, Any]:
    """The issue attributes a reopening comment sets (None = removed); {} when it does not reopen. The
    write that carries them is conditioned on the version read, like a PATCH."""
    if not p.outcome.move_to_todo:
        return {}
    values: dict[str, Any] = {a: None for a in issue_status.reopen_clears(issue.status)}
    values.update({"status": "todo", "updated_at": iso(now), "version": issue_guards.next_version(issue),
                   "list_sort": list_sort_key(issue.priority, epoch_ms(now), issue.id)})
    return values


def add_comment_ops(tx: Transaction, principal: Principal, issue: Issue, p: CommentPlan, assignee: Agent | None,
                    wakeups: issue_guards.Wakeups, now: datetime) -> None:
    """Add the comment, its key, its attachments, its activity, the reopen's side effects and its
    wakeups to `tx` (not the issue item itself: the caller writes its count and `reopen_values`). `assignee`
    is the issue's assignee after the call (a PATCH may change it)."""
    comment = p.comment
    tx.save(comment, condition=IssueComment.sort_key.does_not_exist())
    if comment.client_request_id:
        tx.save(UniqueKey(key=client_request_key(issue.id, principal, comment.client_request_id), ref=comment.id,
                          data={"sortKey": comment.sort_key}),
                condition=UniqueKey.key.does_not_exist(), tag="client_request")
    for attachment in p.attachments:
        tx.update(Attachment(id=attachment.id), actions=[Attachment.issue_comment_id.set(comment.id)],
                  condition=Attachment.id.exists() & Attachment.issue_comment_id.does_not_exist(), tag="attachment")
    if p.interrupt_run is not None:
        tx.update(HeartbeatRun(id=p.interrupt_run.id),
                  actions=[HeartbeatRun.status.set("cancelled"), HeartbeatRun.finished_at.set(iso(now)),
                           HeartbeatRun.error.set("Interrupted by board comment")],
                  condition=HeartbeatRun.status == "running", tag="interrupt")
        tx.save(activity.entry(principal, issue.company_id, "heartbeat.cancelled", "heartbeat_run", p.interrupt_run.id, now,
                               {"agentId": p.interrupt_run.agent_id, "source": "issue_comment_interrupt", "issueId": issue.id}))
    if p.outcome.move_to_todo:
        tx.save(activity.entry(principal, issue.company_id, "issue.updated", "issue", issue.id, now, {
            "identifier": issue.identifier, "status": "todo", "reopened": True, "reopenedFrom": issue.status,
            "source": "comment", **({"resumeIntent": True, "followUpRequested": True} if p.req.resume else {})}))
        execution_close.add_reopen_ops(tx, issue, now)
    context = {"issueId": issue.id, "commentId": comment.id}
    author = principal.id if principal.is_agent else None  # no self-wakeups from mentions
    for agent in p.mentioned:
        if agent.id != author:
            wakeups.add(agent, "issue_comment_mentioned", **context)
    if assignee is not None and p.outcome.wake_assignee:
        wakeups.add(assignee, p.outcome.wake_reason, **context)
    tx.save(activity.entry(principal, issue.company_id, "issue.comment_added", "issue", issue.id, now,
                           {"commentId": comment.id, "identifier": issue.identifier,
                            "mentionedAgentIds": [a.id for a in p.mentioned],
                            "attachmentIds": [a.id for a in p.attachments]}))


def client_request_key(issue_id: str, principal: Principal, client_request_id: str) -> str:
    return f"comment-request#{issue_id}#{principal.actor_type}:{principal.id}#{client_request_id}"


def replayed(issue_id: str, principal: Principal, client_request_id: str | None) -> IssueComment | None:
    """The comment an earlier request with this clientRequestId (same issue, same author) created."""
    if not client_request_id:
        return None
    key = get_many([(UniqueKey, client_request_key(issue_id, principal, client_request_id))])
    found = next(iter(key.values()))
    if found is None or not found.data:
        return None
    try:
        return IssueComment.get(issue_id, found.data["sortKey"], consistent_read=True)
    except IssueComment.DoesNotExist:
        return None


def create_comment(principal: Principal, ref: str, data: dict[str, Any], now: datetime) -> IssueComment:
    req = CommentRequest.from_body(data)
    issue = issue_lookup.get(principal, ref, "issue.write")
    check_request(principal, req)
    existing = replayed(issue.id, principal, req.client_request_id)
    if existing is not None:
        return existing
    mentioned_ids = mentioned_agent_ids(issue.company_id, req.body)
    for _ in range(issue_guards.WAKEUP_ATTEMPTS):
        issue_guards.require_agent_run(principal, issue)
        holder_id = issue_guards.holder_run_id(principal, issue)
        own_id = issue_guards.caller_run_id(principal, issue)
        reads = Reads.plan(principal, issue, req, mentioned_ids)
        keys = reads.keys()
        if issue.assignee_agent_id:
            keys.append((Agent, issue.assignee_agent_id))
        keys += [(HeartbeatRun, r) for r in (holder_id, own_id) if r]
        found = get_many(keys)
        issue_guards.require_active_run(principal, issue, found.get((HeartbeatRun, own_id)) if own_id else None, now)
        issue_guards.refuse_if_held_by_other_run(principal, issue, found.get((HeartbeatRun, holder_id)), now)
        p = plan(principal, issue, req, reads, found, issue.assignee_agent_id, None, now)
        wakeups = issue_guards.Wakeups()
        tx = Transaction()
        reopen = reopen_values(issue, p, now)
        actions = [Issue.comment_count.add(1)] + [getattr(Issue, a).set(v) if v is not None else getattr(Issue, a).remove()
                                                   for a, v in reopen.items()]
        # Unless it reopens the issue, the comment does not otherwise change it; but who gets woken and
        # whether the author may write depend on its assignee and checkout: they must still be what was read.
        tx.update(Issue(id=issue.id), actions=actions, tag="issue",
                  condition=issue_guards.unchanged(issue) if reopen else issue_guards.holder_unchanged(issue))
        add_comment_ops(tx, principal, issue, p, found.get((Agent, issue.assignee_agent_id)) if issue.assignee_agent_id else None,
                        wakeups, now)
        wakeups.add_to(tx, now)
        try:
            issue_guards.commit(tx)
            return p.comment
        except TransactionConflict as conflict:
            if "client_request" in conflict.tags:
                existing = replayed(issue.id, principal, req.client_request_id)
                if existing is not None:
                    return existing
            if "attachment" in conflict.tags:
                raise Conflict("Attachments are already bound to another comment",
                               {"code": "issue_comment_attachments_already_bound", "attachmentIds": req.attachment_ids})
            if "routine_live" in conflict.tags:
                raise Conflict("The routine already has a live execution issue", {"issueId": issue.id})
            if not issue_guards.only_wakeups_failed(conflict):
                issue = issue_lookup.find(issue.id)  # assignee, checkout or status changed: decide again
    raise Conflict("Could not add the comment; try again", {"issueId": issue.id})


def to_json(comment: IssueComment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "issueId": comment.issue_id,
        "companyId": comment.company_id,
        "authorType": comment.author_type,
        "authorAgentId": comment.author_agent_id,
        "authorUserId": comment.author_user_id,
        "onBehalfOfUserId": comment.on_behalf_of_user_id,
        "createdByRunId": comment.created_by_run_id,
        "clientRequestId": comment.client_request_id,
        "body": comment.body,
        "presentation": comment.presentation,
        "metadata": comment.metadata,
        "followUpRequested": comment.follow_up_requested,
        "deletedAt": None,
        "createdAt": comment.created_at,
        "updatedAt": comment.created_at,  # comments are never edited
    }
