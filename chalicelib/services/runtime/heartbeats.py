"""Heartbeat runs: the control plane's record of agent execution windows, and the wakeup queue.

One queued run per agent, under any concurrency: every agent item names the id its next queued run
will have (`next_wake_run_id`). A wakeup upserts that run on the condition that it is absent or still
queued; starting it (invoke or start) flips it to running *and* swaps the agent's slot id in one
transaction. A wakeup that raced a start fails its condition and retries against the new slot.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.ids import is_uuid, new_id
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.runtime import agents
from chalicelib.services.access.auth import mint_run_token, run_token_ttl
from chalicelib.services.access.principals import Principal
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.pages import Page, query_page
from chalicelib.store.transactions import Transaction, TransactionConflict

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "timed_out")
FINISH_STATUSES = ("succeeded", "failed", "cancelled", "timed_out")
NOT_WAKEABLE = ("terminated", "pending_approval")
MAX_ATTEMPTS = 25  # each retry follows a start that rotated the slot: progress is guaranteed


def is_active(run: HeartbeatRun, now: datetime) -> bool:
    return effective_status(run, now) in ("queued", "running")


def effective_status(run: HeartbeatRun, now: datetime) -> str:
    if run.status == "running" and run.expires_at and run.expires_at <= iso(now):
        return "timed_out"
    return run.status


def add_wakeup(tx: Transaction, agent: Agent, reason: str, now: datetime, **context: str | None) -> None:
    """Add "wake this agent" to a caller's transaction (tag "wakeup": retry the whole thing on conflict)."""
    wakeup = {"reason": reason, "at": iso(now), **{k: v for k, v in context.items() if v}}
    stamp = iso(now)
    tx.update(
        HeartbeatRun(id=agent.next_wake_run_id),
        actions=[
            HeartbeatRun.status.set("queued"),
            HeartbeatRun.company_id.set(agent.company_id),
            HeartbeatRun.agent_id.set(agent.id),
            HeartbeatRun.created_at.set(HeartbeatRun.created_at | stamp),
            HeartbeatRun.wakeups.set((HeartbeatRun.wakeups | []).append([wakeup])),
        ],
        condition=HeartbeatRun.id.does_not_exist() | (HeartbeatRun.status == "queued"),
        tag="wakeup",
    )


def wake(agent_id: str, reason: str, now: datetime, **context: str | None) -> str | None:
    """Record a wakeup on its own; returns the queued run's id (None for agents that cannot run)."""
    for _ in range(MAX_ATTEMPTS):
        agent = agents.find(agent_id)
        if agent.status in NOT_WAKEABLE:
            return None
        tx = Transaction()
        add_wakeup(tx, agent, reason, now, **context)
        try:
            tx.commit()
            return agent.next_wake_run_id
        except TransactionConflict:
            continue  # the queued run was started meanwhile: join the agent's new slot
    raise Conflict("Could not record the wakeup; try again")


def find(run_id: str) -> HeartbeatRun:
    if not is_uuid(run_id):
        raise NotFound("Heartbeat run not found")
    try:
        return HeartbeatRun.get(run_id, consistent_read=True)
    except HeartbeatRun.DoesNotExist:
        raise NotFound("Heartbeat run not found")


def _refuse_run_token(principal: Principal) -> None:
    """A run token may not start runs: each new run mints a new token, so one leaked (or finished)
    run's token could otherwise renew itself forever. Agents start runs with their API key."""
    if principal.credential == "run_jwt":
        raise Forbidden("A run token cannot start heartbeat runs; use the agent's API key",
                        {"credential": "run_jwt"})


def invoke(principal: Principal, agent_id: str, now: datetime) -> tuple[HeartbeatRun, str]:
    """Start a run now, taking over the agent's queued run when there is one."""
    _refuse_run_token(principal)
    agent = agents.get(principal, agent_id, "heartbeat.invoke")
    for _ in range(MAX_ATTEMPTS):
        if agent.status in ("paused", "terminated", "pending_approval"):
            raise Conflict(f"Agent is {agent.status}", {"status": agent.status})
        try:
            return _start_slot_run(principal, agent, now, "heartbeat.invoked", queued_only=False)
        except TransactionConflict:
            agent = agents.find(agent_id)
    raise Conflict("Could not start the run; try again")


def start(principal: Principal, run_id: str, now: datetime) -> tuple[HeartbeatRun, str]:
    _refuse_run_token(principal)
    run = find(run_id)
    authorize(principal, "heartbeat.invoke", run.company_id, what="Heartbeat run", target_agent_id=run.agent_id)
    agent = agents.find(run.agent_id)
    if run.status != "queued" or agent.next_wake_run_id != run.id:
        raise Conflict("Only a queued run can be started", {"status": effective_status(run, now)})
    if agent.status in ("paused", "terminated", "pending_approval"):
        raise Conflict(f"Agent is {agent.status}", {"status": agent.status})
    try:
        return _start_slot_run(principal, agent, now, "heartbeat.started", queued_only=True)
    except TransactionConflict:
        raise Conflict("Only a queued run can be started", {"status": find(run_id).status})


def _start_slot_run(principal: Principal, agent: Agent, now: datetime, action: str, queued_only: bool) -> tuple[HeartbeatRun, str]:
    run_id, stamp, expires = agent.next_wake_run_id, iso(now), now + run_token_ttl()
    condition = HeartbeatRun.status == "queued"
    if not queued_only:
        condition = HeartbeatRun.id.does_not_exist() | condition
    tx = Transaction()
    tx.update(
        HeartbeatRun(id=run_id),
        actions=[
            HeartbeatRun.status.set("running"),
            HeartbeatRun.company_id.set(agent.company_id),
            HeartbeatRun.agent_id.set(agent.id),
            HeartbeatRun.created_at.set(HeartbeatRun.created_at | stamp),
            HeartbeatRun.wakeups.set(HeartbeatRun.wakeups | []),
            HeartbeatRun.started_at.set(stamp),
            HeartbeatRun.expires_at.set(iso(expires)),
        ],
        condition=condition,
        tag="run",
    )
    tx.update(agent, actions=[Agent.next_wake_run_id.set(new_id())], condition=Agent.next_wake_run_id == run_id, tag="slot")
    tx.save(activity.entry(principal, agent.company_id, action, "heartbeat_run", run_id, now, {"agentId": agent.id}))
    tx.commit()
    run = find(run_id)
    return run, mint_run_token(agent.id, agent.company_id, run_id, now, expires)


def finish(principal: Principal, run_id: str, status: str, error: str | None, now: datetime) -> HeartbeatRun:
    run = find(run_id)
    authorize(principal, "heartbeat.finish", run.company_id, what="Heartbeat run", target_agent_id=run.agent_id)
    if principal.is_agent and principal.run_id != run.id:
        raise Forbidden("Only the run itself or the board may finish a run")
    current = effective_status(run, now)
    if current not in ("queued", "running"):
        raise Conflict(f"Run is already {current}", {"status": current})
    tx = Transaction()
    actions = [HeartbeatRun.status.set(status), HeartbeatRun.finished_at.set(iso(now))]
    if error:
        actions.append(HeartbeatRun.error.set(error))
    tx.update(run, actions=actions, condition=HeartbeatRun.status == run.status, tag="run")
    if run.status == "queued":  # cancelling the queued run frees the agent's slot
        tx.update(Agent(id=run.agent_id), actions=[Agent.next_wake_run_id.set(new_id())], condition=Agent.next_wake_run_id == run.id)
    tx.save(activity.entry(principal, run.company_id, "heartbeat.finished", "heartbeat_run", run.id, now, {"status": status}))
    try:
        tx.commit()
    except TransactionConflict:
        raise Conflict("Run changed meanwhile", {"status": find(run_id).status})
    run.status, run.finished_at = status, iso(now)
    run.error = error or run.error
    return run


def cancel_active_runs(principal: Principal, agent: Agent, reason: str, now: datetime) -> list[str]:
    """Cancel every queued or running run of the agent (its terminate); returns their ids. Each run
    is one conditional write on the status read, so a run finishing meanwhile keeps its own end."""
    cancelled = []
    stamp = iso(now)
    for run in HeartbeatRun.by_agent.query(agent.id, scan_index_forward=False,
                                           filter_condition=HeartbeatRun.status.is_in("queued", "running")):
        tx = Transaction()
        tx.update(run, actions=[HeartbeatRun.status.set("cancelled"), HeartbeatRun.finished_at.set(stamp),
                                HeartbeatRun.error.set(reason)],
                  condition=HeartbeatRun.status == run.status, tag="run")
        tx.save(activity.entry(principal, run.company_id, "heartbeat.finished", "heartbeat_run", run.id, now,
                               {"status": "cancelled", "reason": reason}))
        try:
            tx.commit()
            cancelled.append(run.id)
        except TransactionConflict:
            continue  # it finished on its own meanwhile
    return cancelled


def list_for_agent(principal: Principal, agent_id: str, status: str | None, limit: int, cursor: str | None, now: datetime) -> Page:
    agent = agents.get(principal, agent_id, "heartbeat.read")
    if status and status not in STATUSES:
        raise BadRequest("Invalid status", {"status": f"must be one of {', '.join(STATUSES)}"})
    page = query_page(HeartbeatRun.by_agent, agent.id, limit=limit, cursor=cursor, newest_first=True)
    if status:
        page.items = [r for r in page.items if effective_status(r, now) == status]
    return page


def to_json(run: HeartbeatRun, now: datetime) -> dict[str, Any]:
    return {
        "id": run.id,
        "companyId": run.company_id,
        "agentId": run.agent_id,
        "status": effective_status(run, now),
        "wakeups": [dict(w) for w in (run.wakeups or [])],
        "createdAt": run.created_at,
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
        "expiresAt": run.expires_at,
        "error": run.error,
    }
