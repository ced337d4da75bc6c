"""Checkout and release (SPEC §4): the lock that says which heartbeat run is working on an issue.

Checkout reads the issue and the caller's run in one request, decides, and makes ONE conditional
write (conditioned on the issue version it read, which pins status, assignee and checkout run) that
sets the assignee, the checkout run, status in_progress and startedAt, with activity
`issue.checked_out` in the same transaction. Under any number of concurrent checkouts exactly one
write succeeds; the others re-read, now see the winner's lock, and answer 409.

- Same agent and same run again: 200 with the issue unchanged, whatever expectedStatuses says.
- Held by another run of the same agent that is no longer active (finished, timed out, missing) and
  `in_progress` is expected: the new run adopts the lock (activity `issue.stale_lock_takeover`).
- Assigned to another agent: 409, whatever the state of its run.
- Who: an agent checks out only as itself, with the run of its JWT (or of its key's
  X-Paperclip-Run-Id). The board may check out on behalf of an agent only by naming, in
  X-Paperclip-Run-Id, an active run of that agent: 400 without it, 404 for an unknown run, 403 for
  a run of another agent. Either way the caller's run must be active (else 409).
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.clock import epoch_ms, iso
from chalicelib.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from chalicelib.ids import is_uuid
from chalicelib.logic import issue_status
from chalicelib.services import activity
from chalicelib.services.issues import issue_guards, issue_lookup
from chalicelib.services.runtime import agents, heartbeats
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue, list_sort_key
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction, TransactionConflict

CONFLICT = "Issue checkout conflict"


def _issue_id(principal: Principal, ref: str) -> str:
    """UUIDs are read together with the run; identifiers cost one lookup first."""
    if is_uuid(ref):
        return ref
    return issue_lookup.get(principal, ref).id


def _run_for(principal: Principal, agent_id: str, header_run_id: str | None) -> str:
    if principal.is_agent:  # checking out as another agent is refused once the issue is read (404 before 403)
        if not principal.run_id:
            raise Unauthorized("Agent run id required")
        return principal.run_id
    if not header_run_id:
        raise BadRequest("Checking out on behalf of an agent needs the X-Paperclip-Run-Id header naming a run of that agent",
                         {"X-Paperclip-Run-Id": "required"})
    return header_run_id


def checkout(principal: Principal, ref: str, agent_id: str, expected: list[str], header_run_id: str | None,
             now: datetime) -> Issue:
    run_id = _run_for(principal, agent_id, header_run_id)
    issue_id = _issue_id(principal, ref)
    if not is_uuid(run_id):
        raise NotFound("Heartbeat run not found", {"runId": run_id})
    if not is_uuid(agent_id):
        raise NotFound("Agent not found", {"agentId": agent_id})
    for _ in range(issue_guards.MAX_ATTEMPTS):
        keys = [(Issue, issue_id), (HeartbeatRun, run_id)]
        if not principal.is_agent:  # the board names the agent: read it in the same request
            keys.append((Agent, agent_id))
        found = get_many(keys)
        issue, run = found[(Issue, issue_id)], found[(HeartbeatRun, run_id)]
        if issue is None:
            raise NotFound("Issue not found")
        # The board assigns the issue to the agent it names: that is `tasks:assign` (issue #10).
        authorize(principal, "issue.checkout", issue.company_id, what="Issue", target_agent_id=agent_id)
        _check_run(principal, issue, agent_id, run_id, run, found.get((Agent, agent_id)), now)
        if issue.checkout_run_id == run_id and issue.assignee_agent_id == agent_id:
            return issue  # idempotent: this run already holds it
        if issue.status not in expected or (issue.assignee_agent_id not in (None, agent_id)
                                            and not _assignee_terminated(issue)):
            raise Conflict(CONFLICT, issue_guards.checkout_details(issue))
        try:
            issue_status.check_checkout(issue.status)
        except issue_status.TransitionError as exc:
            raise Unprocessable(exc.message, {"from": exc.from_status, "to": exc.to_status})
        action = "issue.checked_out"
        if issue.assignee_agent_id not in (None, agent_id):  # its assignee was terminated: adopt it
            action = "issue.stale_lock_takeover"
        elif issue.checkout_run_id:  # held by another run of this agent (or an orphaned lock)
            holder = get_many([(HeartbeatRun, issue.checkout_run_id)])[(HeartbeatRun, issue.checkout_run_id)]
            if holder is not None and heartbeats.is_active(holder, now):
                raise Conflict(CONFLICT, issue_guards.checkout_details(issue))
            action = "issue.stale_lock_takeover"
        try:
            return _write(principal, issue, agent_id, run_id, action, now)
        except TransactionConflict as conflict:
            if "assignee" in conflict.tags:  # terminated (or unapproved) meanwhile: no retry can help
                raise Conflict("The agent can no longer take work", {"agentId": agent_id})
            continue  # someone else changed the issue first: re-read and decide again
    raise Conflict(CONFLICT, {"issueId": issue_id})


def _check_run(principal: Principal, issue: Issue, agent_id: str, run_id: str, run: HeartbeatRun | None,
               agent: Agent | None, now: datetime) -> None:
    if not principal.is_agent:  # the board names the run; it must be an active run of that agent
        if run is None:
            raise NotFound("Heartbeat run not found", {"runId": run_id})
        if run.agent_id != agent_id:
            raise Forbidden("The run does not belong to this agent", {"runId": run.id, "agentId": agent_id})
        if agent is None:
            raise NotFound("Agent not found", {"agentId": agent_id})
        require_same_company(principal, agent.company_id, issue.company_id, "agentId", agent_id, "Agent")
        agents.require_assignable(agent)
    if run is None or not heartbeats.is_active(run, now):
        status = heartbeats.effective_status(run, now) if run else "missing"
        raise Conflict("The heartbeat run is not active", {"runId": run_id, "status": status})


def _write(principal: Principal, issue: Issue, agent_id: str, run_id: str, action: str, now: datetime) -> Issue:
    stamp = iso(now)
    started_at = issue.started_at if issue.status == "in_progress" and issue.started_at else stamp
    values = {
        "assignee_agent_id": agent_id,
        "checkout_run_id": run_id,
        "status": "in_progress",
        "started_at": started_at,
        "updated_at": stamp,
        "list_sort": list_sort_key(issue.priority, epoch_ms(now), issue.id),
        "version": issue_guards.next_version(issue),
    }
    details = {"identifier": issue.identifier, "agentId": agent_id, "runId": run_id, "fromStatus": issue.status}
    if action == "issue.stale_lock_takeover":
        details["previousRunId"] = issue.checkout_run_id
        details["previousAssigneeAgentId"] = issue.assignee_agent_id
    tx = Transaction()
    tx.update(Issue(id=issue.id), actions=[getattr(Issue, a).set(v) for a, v in values.items()],
              condition=issue_guards.unchanged(issue), tag="issue")
    # The caller's run must still be active when the lock is taken (not finished in between).
    tx.check(HeartbeatRun, run_id, condition=HeartbeatRun.status.is_in("queued", "running"), tag="run")
    # ...and its agent still able to work: a checkout never lands after the agent's termination.
    agents.assignable_check(tx, agent_id)
    tx.save(activity.entry(principal, issue.company_id, action, "issue", issue.id, now, details))
    issue_guards.commit(tx)
    for attr, value in values.items():
        setattr(issue, attr, value)
    return issue


def _assignee_terminated(issue: Issue) -> bool:
    """Read only on the conflict path: an issue assigned to a terminated agent is free to take (its
    termination releases it, but a crash or a lagging index may have left it behind)."""
    assignee = get_many([(Agent, issue.assignee_agent_id)])[(Agent, issue.assignee_agent_id)]
    return assignee is not None and assignee.status == "terminated"


def release(principal: Principal, ref: str, now: datetime) -> Issue:
    """Back to todo, assignee and checkout cleared. The assignee's run or the board may release; an
    agent that is not the assignee gets 409, as does one whose issue another active run holds."""
    issue = issue_lookup.get(principal, ref, "issue.release")
    issue_guards.require_agent_run(principal, issue, always=True)
    if principal.is_agent and issue.assignee_agent_id != principal.id:
        raise Conflict("Only the assignee may release this issue", issue_guards.checkout_details(issue))
    holder_id = issue_guards.holder_run_id(principal, issue)
    if holder_id:
        holder = get_many([(HeartbeatRun, holder_id)])[(HeartbeatRun, holder_id)]
        issue_guards.refuse_if_held_by_other_run(principal, issue, holder, now)
    try:
        issue_status.check_release(issue.status)
    except issue_status.TransitionError as exc:
        raise Unprocessable(exc.message, {"from": exc.from_status, "to": exc.to_status})
    stamp = iso(now)
    tx = Transaction()
    tx.update(
        Issue(id=issue.id),
        actions=[
            Issue.status.set("todo"),
            Issue.assignee_agent_id.remove(),
            Issue.checkout_run_id.remove(),
            Issue.updated_at.set(stamp),
            Issue.list_sort.set(list_sort_key(issue.priority, epoch_ms(now), issue.id)),
            Issue.version.set(issue_guards.next_version(issue)),
        ],
        condition=issue_guards.unchanged(issue),
        tag="issue",
    )
    tx.save(activity.entry(principal, issue.company_id, "issue.released", "issue", issue.id, now,
                           {"identifier": issue.identifier, "fromStatus": issue.status,
                            "previousAssigneeAgentId": issue.assignee_agent_id,
                            "previousRunId": issue.checkout_run_id}))
    try:
        issue_guards.commit(tx)
    except TransactionConflict:
        raise issue_guards.lost_race(issue)
    issue.status, issue.assignee_agent_id, issue.checkout_run_id = "todo", None, None
    issue.updated_at, issue.version = stamp, issue_guards.next_version(issue)
    return issue
