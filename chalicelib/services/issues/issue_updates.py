"""PATCH /api/issues/{issueId} (SPEC §4).

One transaction per call, conditioned on the issue version that was read: the field changes, the
status side effects (completedAt, cancelledAt, clearing the checkout), activity `issue.updated`, the
optional comment with its wakeups, the new assignee's wakeup, and checks that the new parent chain
is still the one walked for the cycle test. A concurrent change makes the transaction fail: 409.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import epoch_ms, iso
from chalicelib.errors import Conflict, NotFound, Unprocessable
from chalicelib.logic import issue_status
from chalicelib.services import activity
from chalicelib.services.issues import execution_close, issue_comments, issue_guards, issue_lookup, issues
from chalicelib.services.access.principals import Principal
from chalicelib.services.runtime import agents
from chalicelib.store.agents import Agent
from chalicelib.store.issues import Issue, list_sort_key
from chalicelib.store.transactions import Transaction, TransactionConflict

# body key -> Issue attribute
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


def update(principal: Principal, ref: str, data: dict[str, Any], now: datetime) -> Issue:
    issue = issue_lookup.get(principal, ref, "issue.write")
    data = dict(data)
    if data.get("parentId") is not None:  # a parent may be named by identifier; store its id
        parent_id = issues.resolve_issue_id(data["parentId"])
        if parent_id is None:
            raise NotFound("Parent issue not found", {"parentId": data["parentId"]})
        data["parentId"] = parent_id
    comment_body = data.pop("comment", None)
    mentioned_ids = issue_comments.mentioned_agent_ids(issue.company_id, comment_body) if comment_body else []
    for _ in range(issue_guards.WAKEUP_ATTEMPTS):
        try:
            return _attempt(principal, issue, data, comment_body, mentioned_ids, now)
        except TransactionConflict as conflict:
            if "assignee" in conflict.tags:
                raise Conflict("The assignee can no longer take work", {"assigneeAgentId": data.get("assigneeAgentId")})
            if not issue_guards.only_wakeups_failed(conflict):
                raise issue_guards.lost_race(issue)
            issue = issue_lookup.find(issue.id)  # an agent's queued run started: re-read, retry
    raise Conflict("Could not record the wakeups; try again", {"issueId": issue.id})


def _attempt(principal: Principal, issue: Issue, data: dict[str, Any], comment_body: str | None,
             mentioned_ids: list[str], now: datetime) -> Issue:
    """Decide on the issue as read, then write it all in one transaction conditioned on that read."""
    issue_guards.require_agent_run(principal, issue)
    changes = {attr: data[key] for key, attr in FIELDS.items() if key in data and data[key] != getattr(issue, attr)}
    assignee_changed = "assignee_agent_id" in changes
    if assignee_changed:
        issues.require_can_assign(principal, issue.company_id)
    final_assignee_id = changes["assignee_agent_id"] if assignee_changed else issue.assignee_agent_id
    refs = issues.load_references(
        principal,
        issue.company_id,
        project_id=changes.get("project_id"),
        goal_id=changes.get("goal_id"),
        parent_ref=changes.get("parent_id"),
        assignee_id=changes.get("assignee_agent_id"),
        holder_run_id=issue_guards.holder_run_id(principal, issue),
        # the unchanged assignee is read only when a comment may wake it
        agent_ids=tuple(mentioned_ids) + ((final_assignee_id,) if comment_body and final_assignee_id and not assignee_changed else ()),
    )
    issue_guards.refuse_if_held_by_other_run(principal, issue, refs.holder_run, now)
    try:
        issue_status.check_patch(issue.status, changes.get("status", issue.status))
    except issue_status.TransitionError as exc:
        raise Unprocessable(exc.message, {"from": exc.from_status, "to": exc.to_status})
    chain = _parent_chain(issue, refs.parent) if changes.get("parent_id") else []
    if not changes and not comment_body:
        return issue  # nothing to change: no write, no activity

    tx, wakeups = Transaction(), issue_guards.Wakeups()
    values: dict[str, Any] = {}
    if changes:
        values = _add_issue_update(tx, principal, issue, changes, refs.assignee, wakeups, now)
    else:  # a comment alone: the issue must still be as read (assignee, checkout)
        tx.check(Issue, issue.id, condition=issue_guards.unchanged(issue), tag="issue")
    for node in chain:  # nobody re-parented the chain meanwhile (that could close a cycle)
        tx.check(Issue, node.id, condition=issue_guards.same_value(Issue.parent_id, node.parent_id), tag="parent")
    if comment_body:
        final_assignee = refs.assignee if assignee_changed else refs.agents.get(final_assignee_id)
        comment = issue_comments.new_comment(principal, issue, comment_body, now)
        issue_comments.add_comment_ops(tx, principal, issue, comment, [refs.agents.get(a) for a in mentioned_ids],
                                       final_assignee, wakeups, now)
    wakeups.add_to(tx, now)
    if changes.get("assignee_agent_id"):
        agents.assignable_check(tx, changes["assignee_agent_id"])
    issue_guards.commit(tx)
    for attr, value in values.items():
        setattr(issue, attr, value)
    return issue


def _add_issue_update(tx: Transaction, principal: Principal, issue: Issue, changes: dict[str, Any],
                      new_assignee: Agent | None, wakeups: issue_guards.Wakeups, now: datetime) -> dict[str, Any]:
    """The issue update (fields, status side effects, list order, version), its activity, the new
    assignee's wakeup and the routine hook. Returns the attribute values written (None = removed)."""
    stamp = iso(now)
    from_status = issue.status
    to_status = changes.get("status", from_status)
    effects = issue_status.status_effects(from_status, to_status, stamp)
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
    actions = [getattr(Issue, a).set(v) if v is not None else getattr(Issue, a).remove() for a, v in values.items()]
    tx.update(Issue(id=issue.id), actions=actions, condition=issue_guards.unchanged(issue), tag="issue")
    tx.save(activity.entry(principal, issue.company_id, "issue.updated", "issue", issue.id, now,
                           _activity_details(issue, changes)))
    if new_assignee is not None and issue_status.wakes_assignee(to_status):
        wakeups.add(new_assignee, "issue_assigned", issueId=issue.id)
    if to_status != from_status:
        execution_close.add_close_ops(tx, issue, to_status, now)
    return values


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


def _activity_details(issue: Issue, changes: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {"identifier": issue.identifier,
                               "fields": sorted(k for k, a in FIELDS.items() if a in changes)}
    if "status" in changes:
        details["status"] = {"from": issue.status, "to": changes["status"]}
    if "assignee_agent_id" in changes:
        details["assigneeAgentId"] = {"from": issue.assignee_agent_id, "to": changes["assignee_agent_id"]}
    return details
