"""Dispatching a routine run (SPEC §5): one run, at most one live execution issue, all-or-nothing.

How "at most one live execution issue" holds under any concurrency (conditional writes only):
- The routine item has a live slot (`live_issue_id`, `live_run_id`). A run that creates an issue
  does it in ONE transaction with `SET live_* CONDITION attribute_not_exists(live_issue_id)` (tag
  "live"). Losing that race means another run won: re-read and coalesce into it.
- A run that finds the slot taken writes itself `coalesced`/`skipped` in ONE transaction with the
  routine update conditioned on `live_issue_id == <that issue>`; if the slot changed meanwhile the
  decision is retried.
- The issue moving to done/cancelled clears the slot in the issue's own PATCH transaction
  (issues/execution_close.py), so the slot is never stale.
- `always_enqueue` never conditions on the slot; it fills the slot only when empty (so `activeIssue`
  shows the oldest issue that claimed it), and every run creates an issue.

Idempotency: a UniqueKey `idem#{routine}#{source}#{trigger or -}#{key}` (ref = run id, data = hash of
the canonical JSON of payload and variables, TTL 8 days) is written in the run's transaction (tag
"idem"). A conflict means a previous run owns the key: same hash → that run is replayed; different
hash → 422. Concurrent repeats therefore produce exactly one run.

Failures after validation (an assignee that can no longer take work, a lost transaction) leave no
issue behind: the run is then written `failed` with `failureReason` in a separate write.
Runs are written already decided (issue_created / coalesced / skipped / failed): `received` is
never stored, because the decision and the run commit in one transaction.
Issue numbers are allocated (atomic ADD) before the transaction; a transaction that loses the race
burns its number, so identifiers stay unique and increasing but can skip a number.

Schedule runs carry a `ScheduleClaim`: the run's own transaction also advances the trigger's
`next_run_at` from the tick it read (condition, tag "claim"), and the run id is derived from
(trigger, tick) (condition attribute_not_exists, tag "run"). Claiming the tick, recording its run and
dispatching it are therefore one all-or-nothing write: there is no state in which a tick is claimed
but its run is not dispatched, and a second claim of the same tick fails with `ClaimLost`.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import iso
from chalicelib.errors import (
    BadRequest, Conflict, DomainError, Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
)
from chalicelib.ids import new_id
from chalicelib.logic import routine_variables as rv
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import issues
from chalicelib.services.routines import execution_issues, routine_lookup
from chalicelib.services.runtime import agents, heartbeats
from chalicelib.store import item_limits
from chalicelib.store.pages import Page, query_page
from chalicelib.store.routines import Routine, RoutineRun, RoutineTrigger
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey

logger = logging.getLogger("paperclip")
IDEMPOTENCY_TTL = timedelta(days=8)
MAX_ATTEMPTS = 12
MAX_PAYLOAD_BYTES = 256 * 1024


class ClaimLost(Exception):
    """Another scheduler invocation fired this tick (or the trigger changed meanwhile)."""


@dataclass(frozen=True)
class ScheduleClaim:
    expected_next_run_at: str  # the trigger's next_run_at as the scheduler read it
    next_run_at: str  # what it becomes when this run commits
    tick: datetime  # the nominal tick: `scheduledFor`, and the date of {{date}} placeholders


@dataclass
class RunRequest:
    source: str  # schedule | manual | api | webhook
    trigger: RoutineTrigger | None = None
    payload: Any = None
    variables: dict | None = None  # the body's explicit variables (manual runs)
    idempotency_key: str | None = None
    project_id: str | None = None  # overrides, already validated by the caller
    assignee_agent_id: str | None = None
    workspace: dict[str, Any] = field(default_factory=dict)  # executionWorkspace* fields, stored on the run
    scheduled_for: str | None = None
    run_id: str | None = None  # a derived id for schedule runs; new otherwise
    claim: ScheduleClaim | None = None
    trigger_id: str | None = None  # the body's triggerId, when the trigger itself is not read yet (replays)
    seen_key: UniqueKey | None = None  # a Standard Webhooks delivery's webhook-id, remembered with its run


@dataclass
class DispatchResult:
    run: RoutineRun
    replayed: bool = False


def idempotency_key(routine_id: str, source: str, trigger_id: str | None, key: str) -> str:
    return f"idem#{routine_id}#{source}#{trigger_id or '-'}#{key}"


def request_hash(req: RunRequest) -> str:
    """The fingerprint a repeat of an idempotency key must match: payload, variables and overrides."""
    fields = {"payload": req.payload, "variables": req.variables, "projectId": req.project_id,
              "assigneeAgentId": req.assignee_agent_id, **req.workspace}
    canonical = json.dumps({k: v for k, v in fields.items() if v is not None}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _idempotency_key_of(routine: Routine, req: RunRequest) -> str | None:
    if not req.idempotency_key:
        return None
    return idempotency_key(routine.id, req.source, req.trigger.id if req.trigger else req.trigger_id, req.idempotency_key)


def find_replay(routine: Routine, req: RunRequest) -> DispatchResult | None:
    """The run an earlier request with this idempotency key created (replayed), or None. Decided from
    the stored key and its fingerprint alone, before any check of the routine's, trigger's or
    variables' current state (issue #10): the same request gets the same answer, whatever changed
    since. 422 when the key was used with a different payload, variables or overrides."""
    idem = _idempotency_key_of(routine, req)
    if idem is None:
        return None
    _check_size(req)
    return _replay(idem, request_hash(req))


def _resolve_variables(routine: Routine, req: RunRequest) -> dict[str, Any]:
    payload = req.payload if isinstance(req.payload, dict) else {}
    try:
        return rv.resolve(routine.variables or [], payload.get("variables"), req.variables,
                          payload if req.source == "webhook" else None)
    except rv.MissingVariablesError as exc:
        raise Unprocessable(str(exc), {"missing": exc.names})
    except rv.VariableValueError as exc:
        raise Unprocessable(str(exc))


def dispatch(actor: Principal | None, routine: Routine, req: RunRequest, now: datetime,
             replay_checked: bool = False) -> DispatchResult:
    """Create the run (and its issue when the policy says so). Raises 422 before creating anything when
    variables do not resolve; returns the original run when the idempotency key was used before.

    A schedule run (req.claim set) never raises a DomainError: with no caller to answer, it is recorded
    as a failed run. It raises ClaimLost when its tick was claimed by someone else.
    `replay_checked`: the caller already looked for a replay (find_replay), first thing."""
    idem = _idempotency_key_of(routine, req)
    run_id = req.run_id or new_id()
    _check_size(req)  # first: it also refuses payloads that cannot be encoded, before hashing them
    digest = request_hash(req)
    if idem and not replay_checked:
        replay = _replay(idem, digest)
        if replay:
            return replay
    try:
        values = _resolve_variables(routine, req)
    except DomainError as exc:
        if req.claim is None:
            raise
        return DispatchResult(_record_failure(None, routine, req, run_id, idem, digest, exc.message, now))
    for attempt in range(MAX_ATTEMPTS):
        if attempt:  # the caller's read was consistent; later attempts need a fresh one
            routine = Routine.get(routine.id, consistent_read=True)
        coalesce = routine.concurrency_policy != "always_enqueue" and routine.live_issue_id
        try:
            if coalesce:
                return DispatchResult(_coalesce(actor, routine, req, run_id, idem, digest, now))
            return DispatchResult(_create_issue(actor, routine, req, values, run_id, idem, digest, now))
        except (TransactionConflict, TransactWriteError) as exc:
            _raise_if_claim_lost(req, exc)
            _raise_if_replayed_delivery(exc)
            if isinstance(exc, TransactionConflict) and "assignee" in exc.tags:
                return DispatchResult(_record_failure(actor, routine, req, run_id, idem, digest,
                                                      "The assignee can no longer take work (terminated or "
                                                      "pending approval)", now))
            landed = _landed(req, run_id, exc)
            if landed:
                return DispatchResult(landed)
            if item_limits.is_item_too_large(exc):  # no retry makes the item smaller: say so (issue 11)
                return DispatchResult(_record_failure(actor, routine, req, run_id, idem, digest,
                                                      item_limits.ITEM_TOO_LARGE_MESSAGE, now))
            # Whatever failed (the live slot, the agent's wakeup slot, the idempotency key, or on AWS a
            # concurrent transaction on the same item), the key is the one thing a retry cannot fix.
            if idem:
                replay = _replay(idem, digest)
                if replay:
                    return replay
            continue  # decide again from a fresh read
        except DomainError as exc:
            return DispatchResult(_record_failure(actor, routine, req, run_id, idem, digest, exc.message, now))
    return DispatchResult(_record_failure(actor, routine, req, run_id, idem, digest,
                                          "Could not dispatch the run under contention", now))


def _landed(req: RunRequest, run_id: str, exc: Exception) -> RoutineRun | None:
    """Did our own transaction commit after all? An error can also mean the write landed and only the
    reply was lost (or botocore's retry of a committed request failed its conditions): deciding again
    would then write a second run. A plain condition failure that does not involve our run id proves
    nothing was written, so only the other cases pay for the read. A schedule run's id is shared by
    every scheduler invocation, so finding it proves nothing about who wrote it: that case is
    ClaimLost, raised before this check."""
    if req.claim is not None or (isinstance(exc, TransactionConflict) and "run" not in exc.tags):
        return None
    try:
        return RoutineRun.get(run_id, consistent_read=True)
    except RoutineRun.DoesNotExist:
        return None


def _raise_if_replayed_delivery(exc: Exception) -> None:
    """A concurrent delivery with the same Standard Webhooks `webhook-id` committed first: a replay."""
    if isinstance(exc, TransactionConflict) and "webhook_id" in exc.tags:
        raise Unauthorized("Unauthorized") from exc


def _raise_if_claim_lost(req: RunRequest, exc: Exception) -> None:
    if req.claim and isinstance(exc, TransactionConflict) and {"claim", "run"} & set(exc.tags):
        raise ClaimLost(req.scheduled_for) from exc


def _check_size(req: RunRequest) -> None:
    """The run item must fit DynamoDB's 400 KB item limit: a bigger payload is a 413, not a 500."""
    try:
        size = len(json.dumps([req.payload, req.variables, req.workspace], ensure_ascii=False).encode("utf-8"))
    except (UnicodeError, ValueError):
        raise BadRequest("The payload is not valid JSON text")
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge("The run payload is too large", {"maxBytes": MAX_PAYLOAD_BYTES})


def _replay(idem: str, digest: str) -> DispatchResult | None:
    try:
        key = UniqueKey.get(idem, consistent_read=True)
    except UniqueKey.DoesNotExist:
        return None
    if key.data != digest:
        raise Unprocessable("Idempotency key was already used with a different payload or variables")
    try:
        return DispatchResult(RoutineRun.get(key.ref, consistent_read=True), replayed=True)
    except RoutineRun.DoesNotExist:
        return None


def _new_run(routine: Routine, req: RunRequest, run_id: str, status: str, now: datetime) -> RoutineRun:
    stamp = iso(now)
    return RoutineRun(
        id=run_id, routine_id=routine.id, company_id=routine.company_id, status=status, source=req.source,
        trigger_id=req.trigger.id if req.trigger else None, trigger_payload=req.payload, variables=req.variables,
        idempotency_key=req.idempotency_key, scheduled_for=req.scheduled_for, project_id=req.project_id,
        assignee_agent_id=req.assignee_agent_id,
        execution_workspace_id=req.workspace.get("executionWorkspaceId"),
        execution_workspace_preference=req.workspace.get("executionWorkspacePreference"),
        execution_workspace_settings=req.workspace.get("executionWorkspaceSettings"),
        triggered_at=stamp, created_at=stamp, created_key=f"{stamp}#{run_id}",
    )


def _common_ops(tx: Transaction, actor: Principal | None, routine: Routine, req: RunRequest, run: RoutineRun, idem: str | None, digest: str,
                now: datetime) -> None:
    """Trigger timestamps (and a schedule run's claim) and the idempotency key: in every run's transaction."""
    if req.trigger:
        actions = [RoutineTrigger.last_fired_at.set(iso(now)), RoutineTrigger.last_result.set(run.status)]
        if req.claim:
            actions.append(RoutineTrigger.next_run_at.set(req.claim.next_run_at))
            condition = (RoutineTrigger.next_run_at == req.claim.expected_next_run_at) & RoutineTrigger.due_shard.exists()
            tx.update(RoutineTrigger(id=req.trigger.id), actions=actions, condition=condition, tag="claim")
        else:
            tx.update(RoutineTrigger(id=req.trigger.id), actions=actions, condition=RoutineTrigger.id.exists(), tag="trigger")
    if idem:
        tx.save(UniqueKey(key=idem, ref=run.id, data=digest, expires_at=now + IDEMPOTENCY_TTL),
                condition=UniqueKey.key.does_not_exist(), tag="idem")
    if req.seen_key is not None:  # the delivery's webhook-id is remembered only with the run it produced
        req.seen_key.ref = run.id
        tx.save(req.seen_key, condition=UniqueKey.key.does_not_exist() | (UniqueKey.expires_at < now), tag="webhook_id")
    tx.save(activity.entry(actor, routine.company_id,
                           f"routine.run_{run.status}", "routine_run", run.id, now,
                           {"routineId": routine.id, "source": req.source, "linkedIssueId": run.linked_issue_id}))


def _coalesce(actor, routine: Routine, req: RunRequest, run_id: str, idem, digest, now) -> RoutineRun:
    status = "skipped" if routine.concurrency_policy == "skip_if_active" else "coalesced"
    run = _new_run(routine, req, run_id, status, now)
    run.linked_issue_id, run.coalesced_into_run_id = routine.live_issue_id, routine.live_run_id
    run.completed_at = iso(now)
    tx = Transaction()
    tx.save(run, condition=RoutineRun.id.does_not_exist(), tag="run")
    tx.update(routine, actions=[Routine.last_triggered_at.set(iso(now)), Routine.last_run_id.set(run_id)],
              condition=Routine.live_issue_id == routine.live_issue_id, tag="live")
    _common_ops(tx, actor, routine, req, run, idem, digest, now)
    tx.commit()
    return run


def _create_issue(actor, routine: Routine, req: RunRequest, values: dict, run_id: str, idem, digest, now) -> RoutineRun:
    assignee_id = req.assignee_agent_id or routine.assignee_agent_id
    agent = agents.find(assignee_id) if assignee_id else None
    if agent is not None:
        agents.require_assignable(agent)
    identifier = issues.allocate_identifier(routine.company_id)
    run = _new_run(routine, req, run_id, "issue_created", now)
    dated = req.claim.tick if req.claim else now  # a caught-up tick's {{date}} is the tick's date
    tx = Transaction()
    issue = execution_issues.add_create_ops(
        tx, actor, company_id=routine.company_id, identifier=identifier,
        title=rv.interpolate(routine.title, values, dated), description=rv.interpolate(routine.description, values, dated),
        priority=routine.priority, project_id=req.project_id or routine.project_id, goal_id=routine.goal_id,
        parent_id=routine.parent_issue_id, assignee_agent_id=assignee_id, routine_id=routine.id, run_id=run_id, now=now,
    )
    run.linked_issue_id = issue.id
    tx.save(run, condition=RoutineRun.id.does_not_exist(), tag="run")
    actions = [Routine.last_triggered_at.set(iso(now)), Routine.last_run_id.set(run_id)]
    if routine.concurrency_policy == "always_enqueue":
        actions += [Routine.live_issue_id.set(Routine.live_issue_id | issue.id),
                    Routine.live_run_id.set(Routine.live_run_id | run_id)]
        tx.update(routine, actions=actions, condition=Routine.id.exists(), tag="routine")
    else:
        actions += [Routine.live_issue_id.set(issue.id), Routine.live_run_id.set(run_id)]
        tx.update(routine, actions=actions, condition=Routine.live_issue_id.does_not_exist(), tag="live")
    if agent is not None:
        heartbeats.add_wakeup(tx, agent, "routine_dispatched", now, issueId=issue.id, routineRunId=run_id)
        agents.assignable_check(tx, agent.id)
    _common_ops(tx, actor, routine, req, run, idem, digest, now)
    tx.commit()
    return run


def _record_failure(actor, routine: Routine, req: RunRequest, run_id: str, idem, digest, reason: str, now) -> RoutineRun:
    run = _new_run(routine, req, run_id, "failed", now)
    run.failure_reason, run.completed_at = reason, iso(now)
    tx = Transaction()
    tx.save(run, condition=RoutineRun.id.does_not_exist(), tag="run")
    tx.update(routine, actions=[Routine.last_triggered_at.set(iso(now)), Routine.last_run_id.set(run_id)],
              condition=Routine.id.exists())
    _common_ops(tx, actor, routine, req, run, idem, digest, now)
    try:
        tx.commit()
    except (TransactionConflict, TransactWriteError) as exc:
        _raise_if_claim_lost(req, exc)
        _raise_if_replayed_delivery(exc)
        if idem:
            replay = _replay(idem, digest)
            if replay:
                return replay.run
        raise Conflict("Could not record the run; try again")
    logger.warning("routine dispatch failed", extra={"routineId": routine.id, "runId": run_id, "reason": reason})
    return run


def list_runs(routine: Routine, limit: int, cursor: str | None) -> Page:
    return query_page(RoutineRun.by_routine, routine.id, limit=limit, cursor=cursor, newest_first=True)


def run_manually(principal: Principal, routine_id: str, data: dict[str, Any], now: datetime) -> DispatchResult:
    """POST /routines/{id}/run: archived → 409; paused routines may be run by hand. A repeated
    idempotency key is answered first, from the key alone (issue #10)."""
    routine = routine_lookup.get_visible(principal, routine_id, "routine.manage")
    assignee = data.get("assigneeAgentId")
    if assignee and principal.is_agent and assignee != principal.id:
        raise Forbidden("Agents may not assign routine runs to other agents")
    req = RunRequest(
        source=data.get("source") or "manual", payload=data.get("payload"), trigger_id=data.get("triggerId"),
        variables=data.get("variables"), idempotency_key=data.get("idempotencyKey"),
        project_id=data.get("projectId"), assignee_agent_id=assignee,
        workspace={k: data[k] for k in ("executionWorkspaceId", "executionWorkspacePreference",
                                        "executionWorkspaceSettings") if k in data},
    )
    replay = find_replay(routine, req)
    if replay is not None:
        return replay
    if routine.status == "archived":
        raise Conflict("Archived routines cannot run", {"status": routine.status})
    if data.get("triggerId"):
        try:
            req.trigger = routine_lookup.find_trigger(data["triggerId"])
        except NotFound:
            raise NotFound("Trigger not found", {"triggerId": data["triggerId"]})
        if req.trigger.routine_id != routine.id:
            raise Forbidden("The trigger belongs to another routine", {"triggerId": req.trigger.id})
        if not req.trigger.enabled:
            raise Conflict("The trigger is disabled", {"triggerId": req.trigger.id})
    routine_lookup.check_references(principal, routine.company_id, project_id=data.get("projectId") or None,
                                    assignee_id=assignee or None)
    return dispatch(principal, routine, req, now, replay_checked=True)
