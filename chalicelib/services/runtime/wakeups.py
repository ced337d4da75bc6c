"""POST /api/agents/{agentId}/wakeup (upstream wakeAgentSchema and handleWakeupRoute, validators.md §2.4):
ask for an agent to be woken. Here that is a wakeup joining the agent's queued run (heartbeats.py), and
the answer is that run (202), as upstream answers with the run it queued or merged into.

- Who: an agent wakes only itself (403); the board with a membership of the company.
- Not invokable (paused, terminated, pending approval): 409 "Agent is not invokable in its current state".
- `debug: {providerTrace: "raw"}`: instance admins only (403).
- `failedRunId` (board only): an exact retry of that run, which must be a failed or timed-out run of
  this agent (404 "Failed run not found", 409 "Only a failed run can be retried."); the request may not
  override its context (400 unless reason `retry_failed_run`, source `on_demand`, triggerDetail `manual`,
  no forceFreshSession, no debug). The wakeup carries the failed run's issue; the run records
  `retryOfRunId`.
- `payload` is kept with the wakeup (≤ 4 KiB of JSON); for agent callers `commentId`, `wakeCommentId`,
  `wakeCommentIds` are dropped, as upstream drops them. A string `payload.issueId` becomes the wakeup's
  issue (and, for the run's first one, `contextSnapshot.issueId`).
- `idempotencyKey`: a repeat within 24 hours answers the run the first request queued (header
  `Idempotent-Replayed: true`), even when the repeats race (a guarded key written with the wakeup).
- A queued run holds at most 100 wakeups; a wakeup beyond that is answered with the queued run without
  being recorded (the agent is already woken: its run is queued).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.services.runtime import agents, heartbeats
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, agent_wakeup_key

MAX_WAKEUPS_PER_RUN = 100
IDEMPOTENCY_TTL = timedelta(hours=24)
AGENT_DROPPED_PAYLOAD_KEYS = ("commentId", "wakeCommentId", "wakeCommentIds")
RETRY_REASON = "retry_failed_run"


def request(principal: Principal, agent_id: str, body: dict[str, Any], now: datetime) -> tuple[HeartbeatRun, bool]:
    """(the queued run, whether this was an idempotent replay)."""
    agent = agents.get(principal, agent_id, "agent.wakeup")
    heartbeats.require_debug_allowed(principal, body.get("debug"))
    source = body.get("source") or "on_demand"
    payload = body.get("payload")
    retry_of = None
    if body.get("failedRunId"):
        retry_of, payload = _failed_run_retry(principal, agent, body, source, now)
    elif payload and principal.is_agent:
        payload = {k: v for k, v in payload.items() if k not in AGENT_DROPPED_PAYLOAD_KEYS}
    key = body.get("idempotencyKey")
    for _ in range(heartbeats.MAX_ATTEMPTS):
        if key and (replay := _replay(agent.id, key, now)) is not None:
            return replay, True
        if agent.status in heartbeats.NOT_INVOKABLE:
            raise Conflict("Agent is not invokable in its current state", {"status": agent.status})
        record = heartbeats.wakeup_record(
            body.get("reason") or source, now, source=source, trigger_detail=body.get("triggerDetail") or "manual",
            payload=payload, extra={**heartbeats.request_extra(principal, {**body, "payload": payload}), "failedRunId": retry_of},
        )
        run_id = agent.next_wake_run_id
        tx = Transaction()
        heartbeats.add_wakeup(tx, agent, record["reason"], now, record=record, max_wakeups=MAX_WAKEUPS_PER_RUN)
        if key:
            tx.save(UniqueKey(key=agent_wakeup_key(agent.id, key), ref=run_id, expires_at=now + IDEMPOTENCY_TTL),
                    condition=UniqueKey.key.does_not_exist() | (UniqueKey.expires_at < now), tag="idempotency")
        tx.save(activity.entry(principal, agent.company_id, "heartbeat.invoked", "heartbeat_run", run_id, now,
                               {"agentId": agent.id, "source": source, "triggerDetail": record["triggerDetail"],
                                "reason": body.get("reason"), "queued": True}))
        try:
            tx.commit()
            return heartbeats.find(run_id), False
        except TransactionConflict as conflict:
            if "idempotency" in conflict.tags:
                continue  # an earlier request with this key won: answer with its run
            run = get_many([(HeartbeatRun, run_id)])[(HeartbeatRun, run_id)]
            if run is not None and run.status == "queued":
                return run, False  # already woken and its queued run is full: nothing more to record
            agent = agents.find(agent.id)  # its queued run was started meanwhile: join the new slot
    raise Conflict("Could not record the wakeup; try again")


def _replay(agent_id: str, key: str, now: datetime) -> HeartbeatRun | None:
    found = get_many([(UniqueKey, agent_wakeup_key(agent_id, key))])[(UniqueKey, agent_wakeup_key(agent_id, key))]
    if found is None or (found.expires_at is not None and found.expires_at < now) or not found.ref:
        return None
    try:
        return heartbeats.find(found.ref)
    except NotFound:
        return None


def _failed_run_retry(principal: Principal, agent: Agent, body: dict[str, Any], source: str,
                      now: datetime) -> tuple[str, dict[str, Any]]:
    """upstream's exact-retry rules: (the failed run's id, the payload naming its issue)."""
    if principal.is_agent:
        raise Forbidden("Board access required", {"failedRunId": "board only"})
    if (body.get("reason") != RETRY_REASON or source != "on_demand" or (body.get("triggerDetail") or "manual") != "manual"
            or body.get("forceFreshSession") or body.get("debug")):
        raise BadRequest("An exact failed-run retry cannot override its execution context.",
                         {"failedRunId": f"needs reason {RETRY_REASON}, source on_demand, triggerDetail manual"})
    failed = get_many([(HeartbeatRun, body["failedRunId"].lower())])[(HeartbeatRun, body["failedRunId"].lower())]
    if failed is None or failed.agent_id != agent.id or failed.company_id != agent.company_id:
        raise NotFound("Failed run not found", {"failedRunId": body["failedRunId"]})
    if heartbeats.effective_status(failed, now) not in ("failed", "timed_out"):
        raise Conflict("Only a failed run can be retried.", {"status": heartbeats.effective_status(failed, now)})
    return failed.id, ({"issueId": failed.issue_id} if failed.issue_id else {})
