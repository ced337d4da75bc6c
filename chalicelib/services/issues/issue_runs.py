"""Heartbeat runs seen from an issue, and issues seen from a run (validators.md §9.11). Here because it
reads both domains: runtime (runs) is below issues.

- GET /issues/{id}/runs: the runs woken for the issue (their first wakeup naming one; upstream's
  `contextSnapshot.issueId`), newest first, rows named `runId` as upstream names them. Upstream also
  lists runs that wrote an activity entry on the issue; ours does not (the activity log has no index
  by run): a run that checked out an issue it was not woken for is the issue's active run, not in its
  list.
- GET /issues/{id}/live-runs: those of them queued or running now.
- GET /issues/{id}/active-run: the run holding the issue's checkout while it is active; else, for an
  in_progress issue, its assignee's live run woken for it; else null.
- GET /heartbeat-runs/{runId}/issues: the issues the run was woken for, its first one first
  (`{issueId, identifier, title, status, priority}` + `id`). Upstream also adds issues whose activity
  names the run; see above.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.ids import is_uuid
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import issue_lookup
from chalicelib.services.runtime import heartbeats, run_queries, run_shapes, run_wakeups
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue
from chalicelib.store.pages import Page
from chalicelib.store.reads import get_many

MAX_RUN_ISSUES = 25  # issues named by one run's wakeups that are listed (one read)


def runs(principal: Principal, ref: str, limit: int, cursor: str | None, now: datetime) -> Page:
    issue = issue_lookup.get(principal, ref, "heartbeat.read")
    page = run_queries.for_issue(issue.id, issue.company_id, limit, cursor)
    agents = run_queries.agents_of(page.items)
    page.items = [run_shapes.issue_row(run, agents.get(run.agent_id), now) for run in page.items]
    return page


def live_runs(principal: Principal, ref: str, now: datetime) -> list[dict[str, Any]]:
    issue = issue_lookup.get(principal, ref, "heartbeat.read")
    found = run_queries.live_for_issue(issue.id, issue.company_id, now)
    agents = run_queries.agents_of(found)
    return [run_shapes.live_row(run, agents.get(run.agent_id), now) for run in found]


def active_run(principal: Principal, ref: str, now: datetime) -> dict[str, Any] | None:
    issue = issue_lookup.get(principal, ref, "heartbeat.read")
    run = _active_run(issue, now)
    if run is None:
        return None
    agents = run_queries.agents_of([run])
    return run_shapes.live_row(run, agents.get(run.agent_id), now)


def _active_run(issue: Issue, now: datetime) -> HeartbeatRun | None:
    if issue.checkout_run_id:
        holder = get_many([(HeartbeatRun, issue.checkout_run_id)])[(HeartbeatRun, issue.checkout_run_id)]
        if holder is not None and holder.company_id == issue.company_id and heartbeats.is_active(holder, now):
            return holder
    if issue.status == "in_progress" and issue.assignee_agent_id:
        for run in run_queries.live_for_issue(issue.id, issue.company_id, now):
            if run.agent_id == issue.assignee_agent_id:
                return run
    return None


def issues_of_run(principal: Principal, run_id: str, now: datetime) -> list[dict[str, Any]]:
    run = heartbeats.get(principal, run_id)
    ids = [run.issue_id] if run.issue_id else []
    for wakeup in run_wakeups.embedded(run):
        issue_id = wakeup.get("issueId")
        if isinstance(issue_id, str) and is_uuid(issue_id) and issue_id not in ids:
            ids.append(issue_id)
    ids = ids[:MAX_RUN_ISSUES]
    found = get_many([(Issue, i) for i in ids])
    rows = []
    for issue_id in ids:
        issue = found[(Issue, issue_id)]
        if issue is None or issue.company_id != run.company_id:
            continue
        rows.append({"issueId": issue.id, "id": issue.id, "identifier": issue.identifier, "title": issue.title,
                     "status": issue.status, "priority": issue.priority})
    return rows
