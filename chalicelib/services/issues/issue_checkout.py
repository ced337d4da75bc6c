"""Checkout and release (SPEC §4; upstream: validators.md §5.3, §5.4, §9.14): the lock that says which
heartbeat run is working on an issue.

Checkout reads the issue and the caller's run in one request, decides, and makes ONE conditional
write (conditioned on the issue version it read, which pins status, assignee and checkout run) that
sets the assignee, the checkout run, status in_progress and startedAt, with activity
`issue.checked_out` in the same transaction. Under any number of concurrent checkouts exactly one
write succeeds; the others re-read, now see the winner's lock, and answer 409.

- Same agent and same run again: 200 with the issue unchanged, whatever expectedStatuses says.
- The agent's own in_progress issue whose checkout is empty or held by a run that is no longer
  active (finished, timed out, missing) is adopted by its new run **whatever expectedStatuses says**
  (upstream's adoption: the skill never lists in_progress, and an agent must not lose its resumable
  work; activity `issue.stale_lock_takeover` when a stale run held it).
- Assigned to another agent: 409, whatever the state of its run (an issue whose assignee was
  terminated is free to take, when its status is expected).
- Unresolved blockers (issue_blockers.py): 422 `Issue is blocked by unresolved blockers`; the write
  re-checks that every blocker is still done.
- Who: an agent checks out only as itself, with an active run of its own (its JWT's, or its key's
  X-Paperclip-Run-Id): 401 without a run. The board checks out on behalf of an agent:
  - naming, in X-Paperclip-Run-Id, an active run of that agent: that run holds the lock (404 for an
    unknown run, 403 for another agent's run: work is never attributed to another agent's run);
  - without the header (the CLI's `issue checkout --agent-id`), as upstream: the issue is assigned to
    the agent and set in_progress with no checkout run, and the agent is woken
    (`issue_checked_out`); its next run adopts the empty checkout. `in_progress` is still entered
    only through checkout. An in_progress issue of that agent with no checkout run: 200 unchanged.

Release: the assignee's run (or the board) releases; assignee and checkout are cleared, and the status
goes back to todo only if it was in_progress (other statuses, done and cancelled included, stay as
they are: upstream's rule). An agent that is not the assignee gets 409, as does one whose issue another
active run holds; an agent releases only with an active run of its own.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.clock import epoch_ms, iso
from chalicelib.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from chalicelib.ids import is_uuid
from chalicelib.logic import issue_status
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.services.issues import issue_blockers, issue_guards, issue_lookup
from chalicelib.services.runtime import agents, heartbeats
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


def _run_for(principal: Principal, header_run_id: str | None) -> str | None:
    """The run that will hold the lock: the agent's own (401 without one), the board's header, or None
    (a board checkout without a run)."""
    if principal.is_agent:  # checking out as another agent is refused once the issue is read (404 before 403)
        if not principal.run_id:
            raise Unauthorized("Agent run id required")
        return principal.run_id
    return header_run_id or None


def checkout(principal: Principal, ref: str, agent_id: str, expected: list[str], header_run_id: str | None,
             now: datetime) -> Issue:
    run_id = _run_for(principal, header_run_id)
    issue_id = _issue_id(principal, ref)
    if run_id is not None and not is_uuid(run_id):
        raise NotFound("Heartbeat run not found", {"runId": run_id})
    if not is_uuid(agent_id):
        raise NotFound("Agent not found", {"agentId": agent_id})
    for _ in range(issue_guards.MAX_ATTEMPTS):
        keys = [(Issue, issue_id)] + ([(HeartbeatRun, run_id)] if run_id else [])
        if not principal.is_agent:  # the board names the agent: read it in the same request
            keys.append((Agent, agent_id))
        found = get_many(keys)
        issue, run = found[(Issue, issue_id)], found.get((HeartbeatRun, run_id))
        if issue is None or issue.deleting_at:
            raise NotFound("Issue not found")
        # The board assigns the issue to the agent it names: that is `tasks:assign` (issue #10).
        authorize(principal, "issue.checkout", issue.company_id, what="Issue", target_agent_id=agent_id)
        agent = found.get((Agent, agent_id))
        _check_caller(principal, issue, agent_id, run_id, run, agent, now)
        blockers = issue_blockers.read_blockers(issue)
        issue_blockers.require_resolved(issue, blockers)
        if run_id is None:
            decision = _decide_without_run(issue, agent_id, expected, now)
        else:
            decision = _decide(issue, agent_id, run_id, expected, now)
        if decision is None:
            return issue  # idempotent: already checked out the way this call asks
        try:
            return _write(principal, issue, agent_id, run_id, agent, decision, blockers, now)
        except TransactionConflict as conflict:
            if "assignee" in conflict.tags:  # terminated (or unapproved) meanwhile: no retry can help
                raise Conflict("The agent can no longer take work", {"agentId": agent_id})
            continue  # someone else changed the issue (or a blocker) first: re-read and decide again
    raise Conflict(CONFLICT, {"issueId": issue_id})


def _check_caller(principal: Principal, issue: Issue, agent_id: str, run_id: str | None, run: HeartbeatRun | None,
                  agent: Agent | None, now: datetime) -> None:
    if not principal.is_agent:  # the board names the agent (and maybe its run)
        if run_id is not None:
            if run is None:
                raise NotFound("Heartbeat run not found", {"runId": run_id})
            if run.agent_id != agent_id:
                raise Forbidden("The run does not belong to this agent", {"runId": run.id, "agentId": agent_id})
        if agent is None:
            raise NotFound("Agent not found", {"agentId": agent_id})
        require_same_company(principal, agent.company_id, issue.company_id, "agentId", agent_id, "Agent")
        agents.require_assignable(agent)
    if run_id is not None and (run is None or run.agent_id != agent_id or not heartbeats.is_active(run, now)):
        status = heartbeats.effective_status(run, now) if run else "missing"
        raise Conflict("The heartbeat run is not active", {"runId": run_id, "status": status})


def _holder_active(issue: Issue, now: datetime) -> bool:
    if not issue.checkout_run_id:
        return False
    holder = get_many([(HeartbeatRun, issue.checkout_run_id)])[(HeartbeatRun, issue.checkout_run_id)]
    return holder is not None and heartbeats.is_active(holder, now)


def _decide(issue: Issue, agent_id: str, run_id: str, expected: list[str], now: datetime) -> str | None:
    """The activity action of the write to make, or None when this run already holds the issue; raises
    409/422 when the run may not take it."""
    if issue.checkout_run_id == run_id and issue.assignee_agent_id == agent_id:
        return None  # idempotent: this run already holds it
    own_in_progress = issue.status == "in_progress" and issue.assignee_agent_id == agent_id
    if own_in_progress:  # its own resumable work: adopted whatever expectedStatuses says, unless a live run holds it
        if _holder_active(issue, now):
            raise Conflict(CONFLICT, issue_guards.checkout_details(issue))
        return "issue.stale_lock_takeover" if issue.checkout_run_id else "issue.checked_out"
    if issue.status not in expected or (issue.assignee_agent_id not in (None, agent_id)
                                        and not _assignee_terminated(issue)):
        raise Conflict(CONFLICT, issue_guards.checkout_details(issue))
    _check_not_terminal(issue)
    if issue.assignee_agent_id not in (None, agent_id):  # its assignee was terminated: adopt it
        return "issue.stale_lock_takeover"
    if issue.checkout_run_id:  # held by another run of this agent (or an orphaned lock)
        if _holder_active(issue, now):
            raise Conflict(CONFLICT, issue_guards.checkout_details(issue))
        return "issue.stale_lock_takeover"
    return "issue.checked_out"


def _decide_without_run(issue: Issue, agent_id: str, expected: list[str], now: datetime) -> str | None:
    """The board's checkout on behalf of an agent without naming a run (validators.md §9.14)."""
    if issue.status == "in_progress" and issue.assignee_agent_id == agent_id and not issue.checkout_run_id:
        return None  # already the agent's, waiting for its run: unchanged
    if issue.status not in expected or (issue.assignee_agent_id not in (None, agent_id)
                                        and not _assignee_terminated(issue)):
        raise Conflict(CONFLICT, issue_guards.checkout_details(issue))
    _check_not_terminal(issue)
    if issue.checkout_run_id and _holder_active(issue, now):
        raise Conflict(CONFLICT, issue_guards.checkout_details(issue))
    return "issue.checked_out"


def _check_not_terminal(issue: Issue) -> None:
    try:
        issue_status.check_checkout(issue.status)
    except issue_status.TransitionError as exc:
        raise Unprocessable(exc.message, {"from": exc.from_status, "to": exc.to_status})


def _write(principal: Principal, issue: Issue, agent_id: str, run_id: str | None, agent: Agent | None, action: str,
           blockers: list[Issue], now: datetime) -> Issue:
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
    tx.update(Issue(id=issue.id), actions=[getattr(Issue, a).set(v) if v is not None else getattr(Issue, a).remove()
                                           for a, v in values.items()],
              condition=issue_guards.unchanged(issue), tag="issue")
    checks = issue_guards.IssueChecks()
    issue_blockers.add_still_resolved(checks, blockers)
    checks.add_to(tx, skip={issue.id})
    if run_id is not None:
        # The caller's run must still be active when the lock is taken (not finished in between).
        tx.check(HeartbeatRun, run_id, condition=HeartbeatRun.status.is_in("queued", "running"), tag="run")
    # ...and its agent still able to work: a checkout never lands after the agent's termination.
    agents.assignable_check(tx, agent_id)
    if run_id is None and agent is not None:  # nobody runs it yet: wake the agent (upstream's board checkout)
        wakeups = issue_guards.Wakeups()
        wakeups.add(agent, "issue_checked_out", issueId=issue.id)
        wakeups.add_to(tx, now)
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
    """Assignee and checkout cleared; in_progress goes back to todo, other statuses stay. The assignee's
    run or the board may release; an agent that is not the assignee gets 409, as does one whose issue
    another active run holds."""
    issue = issue_lookup.get(principal, ref, "issue.release")
    issue_guards.require_agent_run(principal, issue, always=True)
    if principal.is_agent and issue.assignee_agent_id != principal.id:
        raise Conflict("Only the assignee may release this issue", issue_guards.checkout_details(issue))
    holder_id = issue_guards.holder_run_id(principal, issue)
    own_id = issue_guards.caller_run_id(principal, issue, always=True)
    keys = [(HeartbeatRun, r) for r in (holder_id, own_id) if r]
    found = get_many(keys) if keys else {}
    issue_guards.require_active_run(principal, issue, found.get((HeartbeatRun, own_id)) if own_id else None, now,
                                    always=True)
    issue_guards.refuse_if_held_by_other_run(principal, issue, found.get((HeartbeatRun, holder_id)) if holder_id else None, now)
    status = "todo" if issue.status == "in_progress" else issue.status
    stamp = iso(now)
    tx = Transaction()
    tx.update(
        Issue(id=issue.id),
        actions=[
            Issue.status.set(status),
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
                           {"identifier": issue.identifier, "fromStatus": issue.status, "toStatus": status,
                            "previousAssigneeAgentId": issue.assignee_agent_id,
                            "previousRunId": issue.checkout_run_id}))
    try:
        issue_guards.commit(tx)
    except TransactionConflict:
        raise issue_guards.lost_race(issue)
    issue.status, issue.assignee_agent_id, issue.checkout_run_id = status, None, None
    issue.updated_at, issue.version = stamp, issue_guards.next_version(issue)
    return issue
