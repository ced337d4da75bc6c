"""GET /api/agents/me/inbox-lite (upstream: validators.md §9.3, skill.md Step 3): the calling agent's
open work, compact.

The issues assigned to the agent with status todo, in_progress or blocked (routine executions
included; hidden ones left out), in the list order (priority, then most recently updated), at most
MAX_ITEMS. Each item: `{id, identifier, title, status, priority, projectId, goalId, parentId,
updatedAt, activeRun, activeRecoveryAction (always null), dependencyReady, unresolvedBlockerCount,
unresolvedBlockerIssueIds}`; a blocker is resolved only when done (a cancelled one still blocks).
`activeRun` is the run holding the issue's checkout while that run is active, else null.

Requests: the agent's assigned issues come from the by-assignee index with the open statuses as a
filter, one Query per 1 MB of the agent's assigned issues (done ones included: they stay assigned), at
most MAX_PAGES; then one batch read of the runs holding checkouts and of the blockers (25 per request).
Agents only: a board caller gets 403 (the permission table denies `agent.me` to board users; upstream 401).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.errors import Unauthorized
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import issue_blockers
from chalicelib.services.runtime import heartbeats
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue
from chalicelib.store.reads import get_many

OPEN = ("todo", "in_progress", "blocked")
MAX_ITEMS = 500
MAX_PAGES = 10


def inbox_lite(principal: Principal, now: datetime) -> list[dict[str, Any]]:
    if not principal.is_agent:
        raise Unauthorized("Agent authentication required")
    condition = Issue.status.is_in(*OPEN) & Issue.hidden_at.does_not_exist() & Issue.deleting_at.does_not_exist()
    result = Issue.by_assignee.query(principal.id, filter_condition=condition, page_size=MAX_ITEMS)
    items: list[Issue] = []
    for _, page in zip(range(MAX_PAGES), result.page_iter):
        items += [result._map_fn(raw) for raw in page.get("Items", [])]
        if len(items) >= MAX_ITEMS or not result.page_iter.last_evaluated_key:
            break
    items = [i for i in items if i.company_id == principal.company_id][:MAX_ITEMS]
    run_ids = {i.checkout_run_id for i in items if i.checkout_run_id}
    blocker_ids = {b for i in items for b in (i.blocked_by or ())}
    found = get_many([(HeartbeatRun, r) for r in sorted(run_ids)] + [(Issue, b) for b in sorted(blocker_ids)])
    return [_item(i, found, now) for i in items]


def _item(issue: Issue, found: dict[Any, Any], now: datetime) -> dict[str, Any]:
    run = found.get((HeartbeatRun, issue.checkout_run_id)) if issue.checkout_run_id else None
    pending = issue_blockers.unresolved(found.get((Issue, b)) for b in sorted(issue.blocked_by or ()))
    return {
        "id": issue.id,
        "identifier": issue.identifier,
        "title": issue.title,
        "status": issue.status,
        "priority": issue.priority,
        "projectId": issue.project_id,
        "goalId": issue.goal_id,
        "parentId": issue.parent_id,
        "updatedAt": issue.updated_at,
        "activeRun": run_summary(run) if run is not None and heartbeats.is_active(run, now) else None,
        "activeRecoveryAction": None,
        "dependencyReady": not pending,
        "unresolvedBlockerCount": len(pending),
        "unresolvedBlockerIssueIds": [b.id for b in pending],
    }


def run_summary(run: HeartbeatRun) -> dict[str, Any]:
    """Upstream's compact run: our runs have no invocation source of their own, so it is read from
    what first woke the run (none: started on demand)."""
    first = (run.wakeups or [None])[0]
    reason = first.get("reason") if isinstance(first, dict) else None
    source = ("on_demand" if reason is None else "automation" if reason == "routine_dispatched" else "assignment")
    return {
        "id": run.id,
        "status": run.status,
        "agentId": run.agent_id,
        "invocationSource": source,
        "triggerDetail": "manual" if reason is None else "system",
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
        "createdAt": run.created_at,
    }
