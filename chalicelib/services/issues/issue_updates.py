"""PATCH /api/issues/{issueId} (SPEC §4; upstream's updateIssueSchema: validators.md §5.2).

One transaction per call, conditioned on the issue version that was read: the field changes (SPEC
§4's, upstream's attribute-backed ones, the stored-as-given ones), the status side effects
(completedAt, cancelledAt, clearing the checkout), the blocker set and its reverse edges (with the
company's blocker-graph guard when edges are added: issue_blockers.py), activity `issue.updated`, the
optional comment with its companions (attachmentIds, reopen/resume, interrupt) and wakeups, the new
assignee's wakeup, the dependents woken when the issue reaches done (`issue_blockers_resolved`), and
checks that the new parent chain is still the one walked for the cycle test. A concurrent change makes
the transaction fail: 409.

The response is upstream's: the issue plus `changes` ({field: {from, to}}, long text truncated to 200
characters with `updated: true`) and `comment` (the comment added, or null); with `Prefer:
return=minimal` only `{id, identifier, updatedAt, changes, comment}`.

Rules beyond SPEC §4's: `attachmentIds` and `resume` need a `comment` (400), `interrupt` needs a
comment and a board caller; `onBehalfOfUserId` is board-only (403); an issue has one assignee, an
agent or a user (422 for both); `deferWakeForGoal: true` assigns without waking; a `comment` without
an explicit `status` reopens a closed issue as a comment does (issue_comments.py), never when the
same request sets blockers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import epoch_ms, iso
from chalicelib.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.logic import issue_status
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import (
    execution_close, issue_blockers, issue_comments, issue_fields, issue_guards, issue_lookup, issues,
)
from chalicelib.services.runtime import agents
from chalicelib.store.issues import Issue, list_sort_key
from chalicelib.store.transactions import Transaction, TransactionConflict

# body key -> Issue attribute, for SPEC §4's fields
FIELDS = {
    "title": "title",
    "description": "description",
    "status": "status",
    "priority": "priority",
    "assigneeAgentId": "assignee_agent_id",
    "projectId": "project_id",
    "goalId": "goal_id",
    "parentId": "parent_id",
    "billingCode": "billing_code",
}
ALL_FIELDS = {**FIELDS, **issue_fields.ATTRIBUTE_FIELDS}
COMMENT_COMPANIONS = ("commentClientRequestId", "attachmentIds", "reopen", "resume", "interrupt", "onBehalfOfUserId")
TEXT_BUDGET = 200  # upstream's ISSUE_CHANGE_TEXT_BUDGET


@dataclass
class Updated:
    issue: Issue
    changes: dict[str, Any]
    comment: Any  # IssueComment | None


def update(principal: Principal, ref: str, data: dict[str, Any], now: datetime) -> Updated:
    issue = issue_lookup.get(principal, ref, "issue.write")
    data = dict(data)
    _check_body(principal, data)
    if data.get("parentId") is not None:  # a parent may be named by identifier; store its id
        parent_id = issues.resolve_issue_id(data["parentId"])
        if parent_id is None:
            raise NotFound("Parent issue not found", {"parentId": data["parentId"]})
        data["parentId"] = parent_id
    comment_req = _comment_request(data)
    mentioned_ids = issue_comments.mentioned_agent_ids(issue.company_id, comment_req.body) if comment_req else []
    if comment_req is not None:
        issue_comments.check_request(principal, comment_req)
    for _ in range(issue_guards.WAKEUP_ATTEMPTS):
        try:
            return _attempt(principal, issue, data, comment_req, mentioned_ids, now)
        except TransactionConflict as conflict:
            tags = set(conflict.tags)
            if "assignee" in tags:
                raise Conflict("The assignee can no longer take work", {"assigneeAgentId": data.get("assigneeAgentId")})
            if "attachment" in tags:
                raise Conflict("Attachments are already bound to another comment",
                               {"code": "issue_comment_attachments_already_bound", "attachmentIds": data.get("attachmentIds")})
            if "blocker" in tags:
                raise Conflict("A blocker was deleted meanwhile; re-read and try again", {"blockedByIssueIds": data.get("blockedByIssueIds")})
            if "blocker_graph" in tags:
                raise Conflict("Blocker relations changed meanwhile; try again", {"issueId": issue.id})
            if "routine_live" in tags:
                raise Conflict("The routine already has a live execution issue", {"issueId": issue.id})
            if not issue_guards.only_wakeups_failed(conflict):
                raise issue_guards.lost_race(issue)
            issue = issue_lookup.find(issue.id)  # an agent's queued run started: re-read, retry
    raise Conflict("Could not record the wakeups; try again", {"issueId": issue.id})


def _check_body(principal: Principal, data: dict[str, Any]) -> None:
    if "comment" not in data:
        for key in ("attachmentIds", "resume", "interrupt", "commentClientRequestId"):
            if data.get(key):
                message = {"attachmentIds": "Attachment ids require a comment", "resume": "Follow-up intent requires a comment"
                           }.get(key, f"{key} requires a comment")
                raise BadRequest(message, {key: "requires comment"})
    if principal.is_agent and data.get("onBehalfOfUserId") is not None:
        raise Forbidden("Agents cannot act on behalf of a user", {"onBehalfOfUserId": data["onBehalfOfUserId"]})
    if data.get("unblockDescriptor") is not None and data.get("status") not in (None, "blocked"):
        raise BadRequest("unblockDescriptor requires blocked status", {"unblockDescriptor": "only with status blocked"})


def _comment_request(data: dict[str, Any]) -> issue_comments.CommentRequest | None:
    body = data.pop("comment", None)
    companions = {k: data.pop(k) for k in COMMENT_COMPANIONS if k in data}
    if body is None:
        return None
    req = issue_comments.CommentRequest.from_body({
        "body": body, "clientRequestId": companions.get("commentClientRequestId"), **{
            k: v for k, v in companions.items() if k != "commentClientRequestId"}})
    req.adds_blockers = bool(data.get("blockedByIssueIds"))
    req.explicit_status = "status" in data  # it decides the status: the comment does not reopen on top of it
    return req


def _attempt(principal: Principal, issue: Issue, data: dict[str, Any], comment_req: issue_comments.CommentRequest | None,
             mentioned_ids: list[str], now: datetime) -> Updated:
    """Decide on the issue as read, then write it all in one transaction conditioned on that read."""
    issue_guards.require_agent_run(principal, issue)
    changes = {attr: data[key] for key, attr in FIELDS.items() if key in data and data[key] != getattr(issue, attr)}
    changes.update({a: v for a, v in issue_fields.attribute_values(data).items() if v != _current(issue, a)})
    if "description" in changes:
        issue_fields.check_description_size(changes["description"])
    passthrough = issue_fields.merged_passthrough(issue.passthrough, data, issue_fields.PASSTHROUGH_FIELDS)
    if passthrough != (issue.passthrough or None):
        changes["passthrough"] = passthrough
    assignee_changed = "assignee_agent_id" in changes or "assignee_user_id" in changes
    if assignee_changed:
        issues.require_can_assign(principal, issue.company_id)
    final_assignee_id = changes.get("assignee_agent_id", issue.assignee_agent_id)
    if final_assignee_id and changes.get("assignee_user_id", issue.assignee_user_id):
        raise Unprocessable("An issue has one assignee: an agent or a user",
                            {"assigneeAgentId": final_assignee_id, "assigneeUserId": changes.get("assignee_user_id", issue.assignee_user_id)})
    own_run_id = issue_guards.caller_run_id(principal, issue)
    reads = issue_comments.Reads.plan(principal, issue, comment_req, mentioned_ids) if comment_req else None
    refs = issues.load_references(
        principal,
        issue.company_id,
        project_id=changes.get("project_id"),
        goal_id=changes.get("goal_id"),
        parent_ref=changes.get("parent_id"),
        assignee_id=changes.get("assignee_agent_id"),
        holder_run_id=issue_guards.holder_run_id(principal, issue),
        caller_run_id=own_run_id,
        # the unchanged assignee is read only when a comment may wake it
        agent_ids=((final_assignee_id,) if comment_req and final_assignee_id and "assignee_agent_id" not in changes else ()),
        extra=tuple(reads.keys()) if reads else (),
    )
    issue_guards.require_active_run(principal, issue, refs.caller_run, now)
    issue_guards.refuse_if_held_by_other_run(principal, issue, refs.holder_run, now)
    to_status = changes.get("status", issue.status)
    try:
        issue_status.check_patch(issue.status, to_status)
    except issue_status.TransitionError as exc:
        raise Unprocessable(exc.message, {"from": exc.from_status, "to": exc.to_status})
    chain = _parent_chain(issue, refs.parent) if changes.get("parent_id") else []
    blocker_change = _blocker_change(principal, issue, data) if "blockedByIssueIds" in data else None
    if blocker_change is not None and {b.id for b in blocker_change[0]} == blocker_change[1]:
        blocker_change = None  # the same set: nothing to write
    comment_plan = issue_comments.plan(principal, issue, comment_req, reads, refs.extra, final_assignee_id, to_status, now) \
        if comment_req else None
    if not changes and not comment_plan and blocker_change is None:
        return Updated(issue, {}, None)  # nothing to change: no write, no activity

    before = issues.to_json(issue)
    tx, wakeups, checks = Transaction(), issue_guards.Wakeups(), issue_guards.IssueChecks()
    values = _issue_values(issue, changes, now) if changes or blocker_change is not None else {}
    if comment_plan is not None:
        values.update(issue_comments.reopen_values(issue, comment_plan, now))
    actions = [getattr(Issue, a).set(v) if v is not None else getattr(Issue, a).remove() for a, v in values.items()]
    if blocker_change is not None:
        new_blockers, current, counter = blocker_change
        actions.append(issue_blockers.blocked_by_action(new_blockers))
        values["blocked_by"] = {b.id for b in new_blockers} or None
        issue_blockers.add_set_ops(tx, checks, issue.id, issue.company_id, current, new_blockers, now)
        if counter is not False:
            issue_blockers.add_graph_guard(tx, issue.company_id, counter)
    final_status = values.get("status", issue.status)
    if refs.assignee is not None and issue_status.wakes_assignee(final_status) and not data.get("deferWakeForGoal"):
        wakeups.add(refs.assignee, "issue_assigned", issueId=issue.id)  # first: its reason wins over the comment's
    if comment_plan is not None:
        actions.append(Issue.comment_count.add(1))
        final_assignee = refs.assignee if "assignee_agent_id" in changes else refs.agents.get(final_assignee_id)
        issue_comments.add_comment_ops(tx, principal, issue, comment_plan, final_assignee, wakeups, now)
    # With a change: conditioned on the version read. A comment alone: on what it decided on.
    condition = issue_guards.unchanged(issue) if "version" in values else issue_guards.holder_unchanged(issue)
    tx.update(Issue(id=issue.id), actions=actions, condition=condition, tag="issue")
    if changes or blocker_change is not None:
        tx.save(activity.entry(principal, issue.company_id, "issue.updated", "issue", issue.id, now,
                               _activity_details(issue, changes, blocker_change)))
    if to_status != issue.status:
        execution_close.add_close_ops(tx, issue, to_status, now)
        if to_status == "done":
            for dependent, agent in issue_blockers.resolved_dependents(issue):
                wakeups.add(agent, "issue_blockers_resolved", issueId=dependent.id)
    for node in chain:  # nobody re-parented the chain meanwhile (that could close a cycle)
        checks.require(node.id, issue_guards.same_value(Issue.parent_id, node.parent_id), "parent")
    checks.add_to(tx, skip={issue.id})
    wakeups.add_to(tx, now)
    if changes.get("assignee_agent_id"):
        agents.assignable_check(tx, changes["assignee_agent_id"])
    issue_guards.commit(tx)
    for attr, value in values.items():
        setattr(issue, attr, value)
    if comment_plan is not None:
        issue.comment_count = int(issue.comment_count or 0) + 1
    return Updated(issue, _changes(before, issues.to_json(issue)), comment_plan.comment if comment_plan else None)


def _current(issue: Issue, attr: str) -> Any:
    value = getattr(issue, attr)
    if attr == "label_ids":
        return list(value) if value else None
    return value


def _blocker_change(principal: Principal, issue: Issue, data: dict[str, Any]) -> tuple[list[Issue], set[str], Any] | None:
    """(new blockers, current ids, graph counter read or False when no edge is added)."""
    current = set(issue.blocked_by or ())
    adding = bool(data["blockedByIssueIds"])
    counter = issue_blockers.read_graph_counter(issue.company_id) if adding else False
    new = issue_blockers.resolve(principal, issue.company_id, data["blockedByIssueIds"], issue.id)
    added = [b for b in new if b.id not in current]
    if added:
        issue_blockers.check_no_cycle(issue.id, added)
    else:
        counter = False  # only removals (or the same set): no cycle can appear
    return new, current, counter


def _issue_values(issue: Issue, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The attributes the update writes (None = removed): the fields, the status side effects, the list
    order and the version."""
    stamp = iso(now)
    to_status = changes.get("status", issue.status)
    effects = issue_status.status_effects(issue.status, to_status, stamp)
    clears = set(effects.clears)
    if "assignee_agent_id" in changes:
        clears.add("checkout_run_id")  # a new assignee never inherits someone's checkout
    values: dict[str, Any] = {a: None for a in clears}
    values.update(changes)
    values.update(effects.sets)
    values.update({
        "updated_at": stamp,
        "list_sort": list_sort_key(changes.get("priority", issue.priority), epoch_ms(now), issue.id),
        "version": issue_guards.next_version(issue),
    })
    return values


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Upstream's buildIssueChanges: every field whose JSON changed, long text truncated."""
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        if key == "updatedAt" or before.get(key) == after.get(key):
            continue
        old, new = before.get(key), after.get(key)
        long_text = key == "description" or (key == "title" and max(len(old or ""), len(new or "")) > TEXT_BUDGET)
        changes[key] = ({"from": _cut(old), "to": _cut(new), "updated": True} if long_text else {"from": old, "to": new})
    return changes


def _cut(value: Any) -> Any:
    return value[:TEXT_BUDGET] if isinstance(value, str) else value


def _parent_chain(issue: Issue, parent: Issue | None) -> list[Issue]:
    """The new parent and its ancestors; 422 when the issue is among them (a cycle) or when the
    chain is deeper than issues.MAX_ANCESTOR_DEPTH."""
    if parent is None:
        return []
    cycle = Unprocessable("An issue cannot be its own ancestor (parent cycle)", {"parentId": parent.id})
    if parent.id == issue.id:
        raise cycle
    chain = [parent]
    node = parent
    while node.parent_id:
        if node.parent_id == issue.id:
            raise cycle
        if len(chain) >= issues.MAX_ANCESTOR_DEPTH:
            raise Unprocessable("Issue hierarchy too deep", {"maxDepth": issues.MAX_ANCESTOR_DEPTH})
        try:
            node = Issue.get(node.parent_id, consistent_read=True)
        except Issue.DoesNotExist:
            break
        chain.append(node)
    return chain


def _activity_details(issue: Issue, changes: dict[str, Any], blocker_change: Any) -> dict[str, Any]:
    names = {a: k for k, a in ALL_FIELDS.items()}
    fields = sorted(names.get(a, a) for a in changes if a != "passthrough")
    if "passthrough" in changes:
        fields += sorted(k for k in (changes["passthrough"] or {}) if (changes["passthrough"] or {}).get(k) != (issue.passthrough or {}).get(k))
    if blocker_change is not None:
        fields.append("blockedByIssueIds")
    details: dict[str, Any] = {"identifier": issue.identifier, "fields": sorted(fields)}
    if "status" in changes:
        details["status"] = {"from": issue.status, "to": changes["status"]}
    if "assignee_agent_id" in changes:
        details["assigneeAgentId"] = {"from": issue.assignee_agent_id, "to": changes["assignee_agent_id"]}
    if blocker_change is not None:
        details["blockedByIssueIds"] = {"from": sorted(blocker_change[1]), "to": sorted(b.id for b in blocker_change[0])}
    return details
