"""Terminating an agent frees its work (issue #10): nothing it held stays locked.

`terminate` (POST /api/agents/{agentId}/terminate) is, in order:
1. the agent → `terminated`, with its queued run cancelled and its wakeup slot closed, in one
   transaction (runtime/agents.py); from then on it cannot authenticate, be assigned work, be woken,
   or check anything out (the checkout transaction checks the agent's status);
2. its running runs → `cancelled` (runtime/heartbeats.py);
3. every open issue assigned to it → unassigned, its checkout cleared, `in_progress` back to `todo`
   (activity `issue.released`, reason `agent_terminated`), each one conditional write on the assignee
   read, so an issue reassigned meanwhile is left alone.

A crash between the steps leaves nothing locked either: the agent cannot act, and another agent may
check out an issue whose assignee is terminated (issue_checkout.py adopts it).
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.clock import epoch_ms, iso
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.services.runtime import agents, heartbeats
from chalicelib.store.agents import Agent
from chalicelib.store.issues import Issue, list_sort_key
from chalicelib.store.transactions import Transaction, TransactionConflict

OPEN = ("backlog", "todo", "in_progress", "in_review", "blocked")
REASON = "agent_terminated"


def terminate(principal: Principal, agent_id: str, now: datetime) -> Agent:
    agent = agents.change_status(principal, agent_id, "terminate", now)
    heartbeats.cancel_active_runs(principal, agent, "Agent terminated", now)
    release_assigned_issues(principal, agent.id, now)
    return agent


def release_assigned_issues(principal: Principal, agent_id: str, now: datetime) -> int:
    """Unassign every open issue of the agent; returns how many were released."""
    released = 0
    for issue in Issue.by_assignee.query(agent_id, filter_condition=Issue.status.is_in(*OPEN)):
        if _release(principal, issue, agent_id, now):
            released += 1
    return released


def _release(principal: Principal, issue: Issue, agent_id: str, now: datetime) -> bool:
    stamp = iso(now)
    status = "todo" if issue.status == "in_progress" else issue.status
    tx = Transaction()
    tx.update(
        Issue(id=issue.id),
        actions=[Issue.assignee_agent_id.remove(), Issue.checkout_run_id.remove(), Issue.status.set(status),
                 Issue.updated_at.set(stamp), Issue.list_sort.set(list_sort_key(issue.priority, epoch_ms(now), issue.id)),
                 Issue.version.add(1)],
        condition=(Issue.assignee_agent_id == agent_id) & Issue.status.is_in(*OPEN),
        tag="issue",
    )
    tx.save(activity.entry(principal, issue.company_id, "issue.released", "issue", issue.id, now,
                           {"identifier": issue.identifier, "fromStatus": issue.status, "reason": REASON,
                            "previousAssigneeAgentId": agent_id, "previousRunId": issue.checkout_run_id}))
    try:
        tx.commit()
        return True
    except TransactionConflict:
        return False  # reassigned or closed meanwhile: not ours to release any more
