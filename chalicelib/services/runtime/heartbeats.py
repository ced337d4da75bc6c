"""Heartbeat runs: the control plane's record of agent execution windows, and the wakeup queue.

One queued run per agent, under any concurrency: every agent item names the id its next queued run
will have (`next_wake_run_id`). A wakeup upserts that run on the condition that it is absent or still
queued; starting it (invoke or start) flips it to running *and* swaps the agent's slot id in one
transaction. A wakeup that raced a start fails its condition and retries against the new slot.

While a run is queued or running it carries `live_company_id` / `live_until` (the sparse `live`
index, store/heartbeats.py): set by the write that queues or starts it, removed by the write that ends
it, so listing a company's live runs never reads its history. A run records the issue of the first
wakeup that named one (`issue_id`, the `by-issue` index), upstream's `contextSnapshot.issueId`.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.ids import is_uuid, new_id
from chalicelib.services import activity
from chalicelib.services.access.auth import mint_run_token, run_token_ttl
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.runtime import agents, run_wakeups
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import QUEUED_LIVE_UNTIL, HeartbeatRun
from chalicelib.store.pages import Page, query_page
from chalicelib.store.transactions import Transaction, TransactionConflict

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "timed_out")
FINISH_STATUSES = ("succeeded", "failed", "cancelled", "timed_out")
NOT_WAKEABLE = ("terminated", "pending_approval")
NOT_INVOKABLE = ("paused", "terminated", "pending_approval")  # upstream agent-invokability
MAX_ATTEMPTS = 25  # each retry follows a start that rotated the slot: progress is guaranteed
BOARD_CANCEL_ERROR = "Cancelled by a board operator"  # upstream's text
# How upstream labels the wakeups the service itself records (`invocationSource`, `triggerDetail`):
# assignments are "assignment", everything else the system does is "automation".
ASSIGNMENT_REASONS = ("issue_assigned", "issue_checked_out")


def is_active(run: HeartbeatRun, now: datetime) -> bool:
    return effective_status(run, now) in ("queued", "running")


def effective_status(run: HeartbeatRun, now: datetime) -> str:
    if run.status == "running" and run.expires_at and run.expires_at <= iso(now):
        return "timed_out"
    return run.status


def internal_source(reason: str) -> str:
    return "assignment" if reason in ASSIGNMENT_REASONS else "automation"


def wakeup_record(reason: str, now: datetime, *, source: str | None = None, trigger_detail: str | None = None,
                  payload: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
                  **context: str | None) -> dict[str, Any]:
    """One entry of a run's `wakeups`: why, when, from where, and its context (`issueId`, `commentId`,
    `routineRunId`, …). A payload is kept as JSON text: DynamoDB numbers cannot hold every JSON number."""
    record: dict[str, Any] = {"reason": reason, "at": iso(now), "source": source or internal_source(reason),
                              "triggerDetail": trigger_detail or "system"}
    record.update({k: v for k, v in context.items() if v})
    if payload is not None:
        record["payloadJson"] = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    record.update({k: v for k, v in (extra or {}).items() if v is not None})
    return record


def add_wakeup(tx: Transaction, agent: Agent, reason: str, now: datetime, *, record: dict[str, Any] | None = None,
               max_wakeups: int | None = None, **context: str | None) -> None:
    """Add "wake this agent" to a caller's transaction (tag "wakeup": retry the whole thing on conflict).

    `record` replaces the default wakeup entry (wakeup_record of `reason` and `context`); `max_wakeups`
    refuses to join a queued run that already holds that many (the API's wakeups, which a client could
    repeat without end). The wakeup is an item of its own (run_wakeups.py); the run item only keeps
    a constant-size summary, so no number of wakeups makes it grow."""
    wakeup = record or wakeup_record(reason, now, **context)
    stamp = iso(now)
    actions = [
        HeartbeatRun.status.set("queued"),
        HeartbeatRun.company_id.set(agent.company_id),
        HeartbeatRun.agent_id.set(agent.id),
        HeartbeatRun.created_at.set(HeartbeatRun.created_at | stamp),
        *run_wakeups.summary_actions(wakeup, stamp),
        HeartbeatRun.live_company_id.set(agent.company_id),
        HeartbeatRun.live_until.set(QUEUED_LIVE_UNTIL),
    ]
    issue_id = wakeup.get("issueId")
    if isinstance(issue_id, str) and is_uuid(issue_id):
        actions.append(HeartbeatRun.issue_id.set(HeartbeatRun.issue_id | issue_id))
    if wakeup.get("failedRunId"):
        actions.append(HeartbeatRun.retry_of_run_id.set(HeartbeatRun.retry_of_run_id | wakeup["failedRunId"]))
    queued = HeartbeatRun.status == "queued"
    if max_wakeups is not None:
        queued = queued & (HeartbeatRun.wakeup_count.does_not_exist() | (HeartbeatRun.wakeup_count < max_wakeups))
    tx.update(HeartbeatRun(id=agent.next_wake_run_id), actions=actions,
              condition=HeartbeatRun.id.does_not_exist() | queued, tag="wakeup")
    run_wakeups.add_item(tx, agent.next_wake_run_id, agent.company_id, wakeup)


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


def get(principal: Principal, run_id: str, action: str = "heartbeat.read") -> HeartbeatRun:
    """The run, if `action` on it is allowed (another company's run is 404, as if missing)."""
    run = find(run_id)
    authorize(principal, action, run.company_id, what="Heartbeat run", target_agent_id=run.agent_id)
    return run


def _refuse_run_token(principal: Principal) -> None:
    """A run token may not start runs: each new run mints a new token, so one leaked (or finished)
    run's token could otherwise renew itself forever. Agents start runs with their API key."""
    if principal.credential == "run_jwt":
        raise Forbidden("A run token cannot start heartbeat runs; use the agent's API key",
                        {"credential": "run_jwt"})


def require_debug_allowed(principal: Principal, debug: Any) -> None:
    """upstream: `debug.providerTrace: "raw"` (raw provider traces) is for instance admins only."""
    if debug and not (principal.is_board and principal.is_instance_admin):
        raise Forbidden("Instance admin required", {"debug": "instance admins only"})


def invoke(principal: Principal, agent_id: str, now: datetime, request: dict[str, Any] | None = None) -> tuple[HeartbeatRun, str]:
    """Start a run now, taking over the agent's queued run when there is one. A body (upstream's
    legacy invoke reads triggerDetail, reason, payload, idempotencyKey, forceFreshSession, debug) is
    recorded on the run as an on_demand wakeup."""
    _refuse_run_token(principal)
    request = request or {}
    require_debug_allowed(principal, request.get("debug"))
    agent = agents.get(principal, agent_id, "heartbeat.invoke")
    wakeup = None
    if request:
        wakeup = wakeup_record(request.get("reason") or "on_demand", now, source="on_demand",
                               trigger_detail=request.get("triggerDetail") or "manual", payload=request.get("payload"),
                               extra=request_extra(principal, request))
    for _ in range(MAX_ATTEMPTS):
        if agent.status in NOT_INVOKABLE:
            raise Conflict("Agent is not invokable in its current state", {"status": agent.status})
        try:
            return _start_slot_run(principal, agent, now, "heartbeat.invoked", queued_only=False, wakeup=wakeup)
        except TransactionConflict:
            agent = agents.find(agent_id)
    raise Conflict("Could not start the run; try again")


def request_extra(principal: Principal, request: dict[str, Any]) -> dict[str, Any]:
    """What a wakeup or invoke request adds to its wakeup entry besides reason and payload."""
    payload = request.get("payload") or {}
    return {
        "issueId": payload.get("issueId") if isinstance(payload.get("issueId"), str) else None,
        "idempotencyKey": request.get("idempotencyKey"),
        "forceFreshSession": request.get("forceFreshSession") or None,
        "debug": "providerTrace:raw" if request.get("debug") else None,
        "requestedByActorType": "agent" if principal.is_agent else "user",
        "requestedByActorId": principal.id,
    }


def start(principal: Principal, run_id: str, now: datetime) -> tuple[HeartbeatRun, str]:
    _refuse_run_token(principal)
    run = find(run_id)
    authorize(principal, "heartbeat.invoke", run.company_id, what="Heartbeat run", target_agent_id=run.agent_id)
    agent = agents.find(run.agent_id)
    if run.status != "queued" or agent.next_wake_run_id != run.id:
        raise Conflict("Only a queued run can be started", {"status": effective_status(run, now)})
    if agent.status in NOT_INVOKABLE:
        raise Conflict("Agent is not invokable in its current state", {"status": agent.status})
    try:
        return _start_slot_run(principal, agent, now, "heartbeat.started", queued_only=True)
    except TransactionConflict:
        raise Conflict("Only a queued run can be started", {"status": find(run_id).status})


def _start_slot_run(principal: Principal, agent: Agent, now: datetime, action: str, queued_only: bool,
                    wakeup: dict[str, Any] | None = None) -> tuple[HeartbeatRun, str]:
    run_id, stamp, expires = agent.next_wake_run_id, iso(now), now + run_token_ttl()
    condition = HeartbeatRun.status == "queued"
    if not queued_only:
        condition = HeartbeatRun.id.does_not_exist() | condition
    actions = [
        HeartbeatRun.status.set("running"),
        HeartbeatRun.company_id.set(agent.company_id),
        HeartbeatRun.agent_id.set(agent.id),
        HeartbeatRun.created_at.set(HeartbeatRun.created_at | stamp),
        *(run_wakeups.summary_actions(wakeup, stamp) if wakeup else []),
        HeartbeatRun.started_at.set(stamp),
        HeartbeatRun.expires_at.set(iso(expires)),
        HeartbeatRun.live_company_id.set(agent.company_id),
        HeartbeatRun.live_until.set(iso(expires)),
    ]
    if wakeup and isinstance(wakeup.get("issueId"), str) and is_uuid(wakeup["issueId"]):
        actions.append(HeartbeatRun.issue_id.set(HeartbeatRun.issue_id | wakeup["issueId"]))
    tx = Transaction()
    tx.update(HeartbeatRun(id=run_id), actions=actions, condition=condition, tag="run")
    if wakeup:
        run_wakeups.add_item(tx, run_id, agent.company_id, wakeup)
    tx.update(agent, actions=[Agent.next_wake_run_id.set(new_id()), Agent.last_heartbeat_at.set(stamp)],
              condition=Agent.next_wake_run_id == run_id, tag="slot")
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
    try:
        _end(principal, run, status, error, now, "heartbeat.finished", {"status": status})
    except TransactionConflict:
        raise Conflict("Run changed meanwhile", {"status": find(run_id).status})
    return run


def cancel(principal: Principal, run_id: str, now: datetime) -> HeartbeatRun:
    """Board only (upstream POST /heartbeat-runs/{runId}/cancel, validators.md §9.11): a queued or
    running run → cancelled with upstream's error text and `resultJson`; a run that is not cancellable
    is returned unchanged (200)."""
    run = get(principal, run_id, "heartbeat.cancel")
    for _ in range(MAX_ATTEMPTS):
        if not is_active(run, now):
            return run
        try:
            _end(principal, run, "cancelled", BOARD_CANCEL_ERROR, now, "heartbeat.cancelled", {"agentId": run.agent_id},
                 result={"cancelledByActorType": "user", "cancelledByUserId": principal.id})
            return run
        except TransactionConflict:
            run = find(run_id)  # it was started or finished meanwhile: decide again
    raise Conflict("Run changed meanwhile; try again")


def _end(principal: Principal, run: HeartbeatRun, status: str, error: str | None, now: datetime, action: str,
         details: dict[str, Any], result: dict[str, Any] | None = None) -> None:
    """Move a queued or running run to `status`, conditioned on the status read; cancelling the queued
    run frees the agent's slot in the same transaction. Updates `run` in place once written."""
    actions = [HeartbeatRun.status.set(status), HeartbeatRun.finished_at.set(iso(now)),
               HeartbeatRun.live_company_id.remove(), HeartbeatRun.live_until.remove()]
    if error:
        actions.append(HeartbeatRun.error.set(error))
    if result is not None:
        actions.append(HeartbeatRun.result_json.set(result))
    tx = Transaction()
    tx.update(run, actions=actions, condition=HeartbeatRun.status == run.status, tag="run")
    if run.status == "queued":  # ending the queued run frees the agent's slot
        tx.update(Agent(id=run.agent_id), actions=[Agent.next_wake_run_id.set(new_id())], condition=Agent.next_wake_run_id == run.id)
    tx.save(activity.entry(principal, run.company_id, action, "heartbeat_run", run.id, now, details))
    tx.commit()
    run.status, run.finished_at = status, iso(now)
    run.error = error or run.error
    run.result_json = result if result is not None else run.result_json
    run.live_company_id = run.live_until = None


def cancel_active_runs(principal: Principal, agent: Agent, reason: str, now: datetime) -> list[str]:
    """Cancel every queued or running run of the agent (its terminate); returns their ids. Each run
    is one conditional write on the status read, so a run finishing meanwhile keeps its own end."""
    cancelled = []
    stamp = iso(now)
    for run in HeartbeatRun.by_agent.query(agent.id, scan_index_forward=False,
                                           filter_condition=HeartbeatRun.status.is_in("queued", "running")):
        tx = Transaction()
        tx.update(run, actions=[HeartbeatRun.status.set("cancelled"), HeartbeatRun.finished_at.set(stamp),
                                HeartbeatRun.error.set(reason), HeartbeatRun.live_company_id.remove(),
                                HeartbeatRun.live_until.remove()],
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
