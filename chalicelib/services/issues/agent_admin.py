"""What changes an agent together with its work: PATCH `status: "terminated"` and DELETE. Here because
freeing an agent's issues (agent_work.py) is the issues domain's, above runtime.

DELETE /api/agents/{agentId} (upstream validators.md §9.1, adapted): board only (`agent.lifecycle`).
1. the agent is terminated first, if it is not yet (agent_work.terminate's transaction: its queued run
   cancelled, its wakeup slot closed, its name and url key freed); from then on it cannot
   authenticate, be assigned work, be woken or get keys;
2. its queued and running runs are cancelled and its open issues released (unassigned; `in_progress`
   back to `todo`), as terminating does;
3. runtime/agent_removal.py deletes the rest and then the agent (activity `agent.deleted`).
Every step is idempotent and the agent item goes last, so a crash anywhere leaves a terminated agent
whose DELETE, repeated, finishes the job; nothing is half-deleted in between.

Adapted from upstream: comments the agent wrote stay (they are their issues' record), and the activity
log is kept (append-only, SPEC §3); issues it created keep no creator field here to clear.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.errors import Conflict
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import agent_work
from chalicelib.services.runtime import agent_removal, agents, heartbeats
from chalicelib.store.agents import Agent

DELETED_REASON = "Agent deleted"


def update(principal: Principal, agent_id: str, data: dict[str, Any], now: datetime) -> Agent:
    """PATCH /api/agents/{agentId}. `status: "terminated"` applies the other fields, then terminates
    as POST …/terminate does (board only, checked before anything changes)."""
    if data.get("status") != "terminated":
        return agents.update(principal, agent_id, data, now)
    agent = agents.get(principal, agent_id, "agent.lifecycle")
    rest = {k: v for k, v in data.items() if k != "status"}
    if agent.status == "terminated" and not rest:
        return agent  # already where it was asked to be
    if rest:
        agents.update(principal, agent_id, rest, now)
    return agent_work.terminate(principal, agent_id, now)


def delete(principal: Principal, agent_id: str, now: datetime) -> None:
    agent = agents.get(principal, agent_id, "agent.lifecycle")
    if agent.status != "terminated":
        try:
            agent = agents.change_status(principal, agent.id, "terminate", now)
        except Conflict:
            agent = agents.get(principal, agent_id, "agent.lifecycle")
            if agent.status != "terminated":
                raise
    heartbeats.cancel_active_runs(principal, agent, DELETED_REASON, now)
    agent_work.release_assigned_issues(principal, agent.id, now)
    agent_removal.remove(principal, agent, now)
