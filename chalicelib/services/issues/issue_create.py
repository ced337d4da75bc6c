"""POST /api/companies/{companyId}/issues and POST /api/issues/{issueId}/children (SPEC §4; upstream:
validators.md §5.1, §5.9).

Identifiers: `{issuePrefix}-{n}` where n comes from one atomic ADD on `Company.issue_counter` (an
UpdateItem that returns the new value), *then* one transaction puts the issue with everything that
hangs off it: its identifier key, the reverse edges of its blockers, its `plan` document
(`initialPlan`), the duplicate-guard keys (issue_dedupe.py), activity `issue.created` and the
assignee's wakeup. Identifiers are unique and increasing; a create whose transaction fails after the
ADD leaves a gap: that number is never reused.

Reads before the write, in one request: project, goal, parent, assignee, the company, and the
duplicate-guard keys. Rules beyond SPEC §4's: `parentIssueId` (paperclip-mcp's name) means
`parentId`; the status defaults to todo when `assigneeAgentId` or `assigneeUserId` is given; both at
once is 422; agents may not attribute an issue to a user (`createdByUserId`, `responsibleUserId`:
403); `unblockDescriptor` needs status blocked (400).

Children (upstream's child create): the path names the parent; project and goal default to the
parent's, `requestDepth` is at least the parent's + 1, `acceptanceCriteria` are appended to the
description, and `blockParentUntilDone` adds the child to the parent's blockers in the same
transaction (a cycle check first, see issue_blockers.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import epoch_ms, iso
from chalicelib.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.logic import issue_status
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import (
    issue_blockers, issue_dedupe, issue_documents, issue_fields, issue_guards, issue_lookup, issues,
)
from chalicelib.services.runtime import agents
from chalicelib.store import blobs
from chalicelib.store.issues import Issue, list_sort_key
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, issue_identifier_key


@dataclass
class Created:
    issue: Issue
    deduplication_reason: str | None = None  # set: an existing issue was returned (200), nothing created


def create(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> Created:
    authorize(principal, "issue.write", company_id, by_id=False)
    if not is_uuid(company_id):
        raise NotFound("Company not found")
    data = dict(data)
    parent_ref = data.pop("parentId", None)
    alias = data.pop("parentIssueId", None)
    if parent_ref is not None and alias is not None and parent_ref != alias:
        raise BadRequest("parentId and parentIssueId name different issues", {"parentIssueId": alias})
    return _create(principal, company_id, data, parent_ref if parent_ref is not None else alias, None, now)


def create_child(principal: Principal, parent_ref: str, data: dict[str, Any], now: datetime) -> Created:
    parent = issue_lookup.get(principal, parent_ref, "issue.write")
    data = dict(data)
    data.setdefault("projectId", parent.project_id)
    data.setdefault("goalId", parent.goal_id)
    data["requestDepth"] = max(int(parent.request_depth or 0) + 1, data.get("requestDepth") or 0)
    criteria = data.pop("acceptanceCriteria", None)
    if criteria:
        bullets = "\n".join(f"- {item}" for item in criteria)
        data["description"] = f"{data.get('description') or ''}\n\n## Acceptance Criteria\n\n{bullets}".lstrip("\n")
    return _create(principal, parent.company_id, data, parent.id, parent, now)


def _create(principal: Principal, company_id: str, data: dict[str, Any], parent_ref: str | None,
            child_of: Issue | None, now: datetime) -> Created:
    block_parent = bool(data.pop("blockParentUntilDone", False))
    assignee_id = data.get("assigneeAgentId")
    assignee_user = data.get("assigneeUserId")
    status = data.get("status") or ("todo" if assignee_id or assignee_user else "backlog")
    _check_body(principal, data, status)
    if assignee_id or assignee_user:
        issues.require_can_assign(principal, company_id)
    issue_fields.check_description_size(data.get("description"))
    passthrough = issue_fields.merged_passthrough(
        None, data, issue_fields.PASSTHROUGH_FIELDS + issue_fields.CREATE_ONLY_PASSTHROUGH)
    guards = issue_dedupe.Guards(
        idempotency=issue_dedupe.idempotency_key(company_id, data["idempotencyKey"]) if data.get("idempotencyKey") else None,
        title=issue_dedupe.title_key(company_id, _parent_id_hint(parent_ref, child_of), data["title"]),
        title_guarded=data.get("allowDuplicate") is False,
    )
    refs = issues.load_references(
        principal, company_id,
        project_id=data.get("projectId"), goal_id=data.get("goalId"),
        parent_ref=parent_ref if child_of is None else None, assignee_id=assignee_id,
        require_company=True, extra=tuple(guards.keys()),
    )
    parent = child_of or refs.parent
    if parent is not None and parent.id != _parent_id_hint(parent_ref, child_of):  # named by identifier
        guards.title = issue_dedupe.title_key(company_id, parent.id, data["title"])
        refs.extra.update(get_many(guards.keys()))
    read_keys = {key: refs.extra.get((UniqueKey, key)) for key in (guards.idempotency, guards.title) if key}
    existing = _duplicate(company_id, guards, read_keys, now)
    if existing is not None:
        return existing
    blockers = issue_blockers.resolve(principal, company_id, data["blockedByIssueIds"], None) \
        if data.get("blockedByIssueIds") else []
    graph_counter = None
    if block_parent:  # the parent becomes blocked by the child: it must not reach itself through the child's blockers
        graph_counter = issue_blockers.read_graph_counter(company_id)
        issue_blockers.check_no_cycle(parent.id, blockers)
        if len(set(parent.blocked_by or ())) >= issue_blockers.MAX_BLOCKERS:
            raise Unprocessable("The parent has too many blockers", {"maxBlockers": issue_blockers.MAX_BLOCKERS})

    identifier = issues.allocate_identifier(company_id)
    issue = _new_issue(principal, company_id, identifier, data, status, parent, blockers, passthrough, now)
    assignee = refs.assignee
    for _ in range(issue_guards.WAKEUP_ATTEMPTS):
        tx, blob = _transaction(principal, issue, data, assignee, parent, blockers, block_parent, graph_counter,
                                guards, read_keys, now)
        try:
            blobs.commit_referencing(tx, blob, committed=lambda: _exists(issue.id))
            return Created(issue)
        except TransactionConflict as conflict:
            tags = set(conflict.tags)
            if "assignee" in tags:
                raise Conflict("The assignee can no longer take work", {"assigneeAgentId": assignee_id})
            if tags & {"idempotency", "title"}:  # a concurrent create of the same key won: return its issue
                fresh = get_many([(UniqueKey, k) for k in read_keys])
                read_keys = {k: fresh[(UniqueKey, k)] for k in read_keys}
                existing = _duplicate(company_id, guards, read_keys, now)
                if existing is not None:
                    return existing
                continue
            if "parent" in tags:
                raise NotFound("Parent issue not found", {"parentId": parent_ref})
            if "blocker" in tags:
                raise Conflict("A blocker was deleted meanwhile; re-read and try again", {"blockedByIssueIds": data.get("blockedByIssueIds")})
            if "blocker_graph" in tags or "parent_blockers" in tags:
                raise Conflict("Blocker relations changed meanwhile; try again", {"issueId": parent.id if parent else None})
            if not issue_guards.only_wakeups_failed(conflict):
                raise Conflict("Could not create the issue; try again", {"identifier": identifier})
            assignee = agents.find(assignee_id)  # its queued run was started: join the new slot
            agents.require_assignable(assignee)
    raise Conflict("Could not record the assignee's wakeup; try again")


def _check_body(principal: Principal, data: dict[str, Any], status: str) -> None:
    if data.get("unblockDescriptor") is not None and status != "blocked":
        raise BadRequest("unblockDescriptor requires blocked status", {"unblockDescriptor": "only with status blocked"})
    if status not in issue_status.CREATE_STATUSES:
        raise Unprocessable(
            "An issue can only be created as backlog, todo or blocked",
            {"status": status, "allowed": list(issue_status.CREATE_STATUSES)},
        )
    if data.get("assigneeAgentId") and data.get("assigneeUserId"):
        raise Unprocessable("An issue has one assignee: an agent or a user", {"assigneeUserId": data["assigneeUserId"]})
    if principal.is_agent:
        for field in ("createdByUserId", "responsibleUserId"):
            if data.get(field) is not None:
                raise Forbidden("Agents cannot attribute issues to users", {field: data[field]})


def _parent_id_hint(parent_ref: str | None, child_of: Issue | None) -> str | None:
    """The parent id as far as it is known before reading (an identifier is resolved by the read)."""
    if child_of is not None:
        return child_of.id
    return parent_ref if parent_ref and is_uuid(parent_ref) else None


def _duplicate(company_id: str, guards: issue_dedupe.Guards, read: dict[str, UniqueKey | None], now: datetime) -> Created | None:
    """The issue an idempotency key or (guarded) title key points at, when it counts as a duplicate."""
    idem = issue_dedupe.live_key(read.get(guards.idempotency), now) if guards.idempotency else None
    title = issue_dedupe.live_key(read.get(guards.title), now) if guards.title_guarded else None
    ids = [k.ref for k in (idem, title) if k is not None]
    if not ids:
        return None
    found = get_many([(Issue, i) for i in dict.fromkeys(ids)])
    if idem is not None:
        issue = found.get((Issue, idem.ref))
        if issue is not None and issue.company_id == company_id and not issue.deleting_at:
            return Created(issue, "idempotency_key")
    if title is not None and issue_dedupe.is_recent_open(found.get((Issue, title.ref)), company_id, now):
        return Created(found[(Issue, title.ref)], "recent_open_title")
    return None


def _new_issue(principal: Principal, company_id: str, identifier: str, data: dict[str, Any], status: str,
               parent: Issue | None, blockers: list[Issue], passthrough: dict[str, Any] | None, now: datetime) -> Issue:
    stamp = iso(now)
    issue_id = new_id()
    priority = data.get("priority") or "medium"
    extra = issue_fields.attribute_values(data)
    return Issue(
        id=issue_id,
        company_id=company_id,
        identifier=identifier,
        title=data["title"],
        description=data.get("description"),
        status=status,
        priority=priority,
        assignee_agent_id=data.get("assigneeAgentId"),
        project_id=data.get("projectId"),
        goal_id=data.get("goalId"),
        parent_id=parent.id if parent else None,
        billing_code=data.get("billingCode"),
        origin_kind="manual",
        created_at=stamp,
        updated_at=stamp,
        list_sort=list_sort_key(priority, epoch_ms(now), issue_id),
        version=1,
        work_mode=extra.get("work_mode") or "standard",
        request_depth=extra.get("request_depth") or 0,
        label_ids=extra.get("label_ids"),
        assignee_user_id=extra.get("assignee_user_id"),
        created_by_agent_id=principal.id if principal.is_agent else None,
        created_by_user_id=None if principal.is_agent else (data.get("createdByUserId") or principal.id),
        responsible_user_id=data.get("responsibleUserId"),
        blocked_by={b.id for b in blockers} or None,
        passthrough=passthrough,
    )


def _transaction(principal: Principal, issue: Issue, data: dict[str, Any], assignee: Any, parent: Issue | None,
                 blockers: list[Issue], block_parent: bool, graph_counter: int | None, guards: issue_dedupe.Guards,
                 read_keys: dict[str, UniqueKey | None], now: datetime) -> tuple[Transaction, str | None]:
    wakeups = issue_guards.Wakeups()
    if assignee is not None and issue_status.wakes_assignee(issue.status):
        wakeups.add(assignee, "issue_assigned", issueId=issue.id)
    tx = Transaction()
    checks = issue_guards.IssueChecks()
    tx.save(issue, condition=Issue.id.does_not_exist(), tag="issue")
    tx.save(UniqueKey(key=issue_identifier_key(issue.identifier), ref=issue.id),
            condition=UniqueKey.key.does_not_exist(), tag="identifier")
    issue_blockers.add_set_ops(tx, checks, issue.id, issue.company_id, set(), blockers, now)
    if parent is not None and block_parent:
        # The parent's own blocker set changes: conditioned on the parent's version, like a PATCH of it.
        tx.update(Issue(id=parent.id), actions=[Issue.blocked_by.add({issue.id}), Issue.version.set(issue_guards.next_version(parent))],
                  condition=issue_guards.unchanged(parent), tag="parent_blockers")
        issue_blockers.add_set_ops(tx, checks, parent.id, parent.company_id, set(), [issue], now)
        issue_blockers.add_graph_guard(tx, issue.company_id, graph_counter)
    elif parent is not None:
        checks.require(parent.id, issue_guards.live(), "parent")
    checks.add_to(tx, skip={issue.id} | ({parent.id} if parent is not None and block_parent else set()))
    issue_dedupe.add_claims(tx, guards, issue.id, read_keys, now)
    blob = issue_documents.add_initial_plan_ops(tx, principal, issue, data["initialPlan"], now) \
        if data.get("initialPlan") else None
    tx.save(activity.entry(principal, issue.company_id, "issue.created", "issue", issue.id, now,
                           {"identifier": issue.identifier, "title": issue.title, "status": issue.status,
                            "assigneeAgentId": issue.assignee_agent_id,
                            "blockedByIssueIds": sorted(issue.blocked_by or ())}))
    wakeups.add_to(tx, now)
    if issue.assignee_agent_id:
        agents.assignable_check(tx, issue.assignee_agent_id)
    return tx, blob


def _exists(issue_id: str) -> bool:
    return Issue.count(issue_id, consistent_read=True) > 0
