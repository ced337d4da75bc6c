"""Rules every issue mutation shares: who may touch an issue someone has checked out, how a write is
conditioned on the state it was decided on, and how wakeups ride along in the same transaction.

Every write of the issues API is one transaction conditioned on `Issue.version` being the value read
(see store/issues.py), so two concurrent calls can never both act on the same state: the loser's
transaction fails and it re-reads (checkout) or answers 409 (PATCH, release).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.errors import Conflict, Unauthorized
from chalicelib.services.runtime import heartbeats
from chalicelib.services.access.principals import Principal
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction, TransactionConflict

MAX_ATTEMPTS = 8  # re-reads after losing a race on the issue itself (checkout)
# Re-reads after a wakeup lost the race with the start of the agent's queued run. Each failure means
# some run did start (the system progresses); the bound only caps one call's latency.
WAKEUP_ATTEMPTS = 16
CONTENTION = "contention"  # DynamoDB cancelled the transaction because another one touched an item


def unchanged(issue: Issue) -> Any:
    """Condition: the issue is still exactly the version this call read. (A DELETE bumps the version
    when it marks the issue, so this also means "not being deleted".)"""
    if issue.version is None:
        return Issue.id.exists() & Issue.version.does_not_exist()
    return Issue.version == issue.version


def live() -> Any:
    """Condition: the issue exists and no DELETE has started on it (nothing new may hang off it)."""
    return Issue.id.exists() & Issue.deleting_at.does_not_exist()


class IssueChecks:
    """Condition checks on issue items, merged per issue: a DynamoDB transaction may name an item only
    once, and one call can need several facts about the same issue (a parent that is also a blocker)."""

    def __init__(self) -> None:
        self._conditions: dict[str, Any] = {}
        self._tags: dict[str, str] = {}

    def require(self, issue_id: str, condition: Any, tag: str) -> None:
        previous = self._conditions.get(issue_id)
        self._conditions[issue_id] = condition if previous is None else previous & condition
        self._tags.setdefault(issue_id, tag)

    def add_to(self, tx: Transaction, skip: set[str] | None = None) -> None:
        """Add the checks, except on the items `tx` already writes (`skip`): their own conditions rule."""
        for issue_id, condition in self._conditions.items():
            if issue_id not in (skip or set()):
                tx.check(Issue, issue_id, condition=condition, tag=self._tags[issue_id])


def same_value(attr: Any, value: str | None) -> Any:
    """Condition: `attr` still holds `value` (absent when None)."""
    return attr == value if value is not None else attr.does_not_exist()


def next_version(issue: Issue) -> int:
    return int(issue.version or 0) + 1


def commit(tx: Transaction) -> None:
    """Commit; a cancellation caused by a concurrent transaction (not a condition) is a lost race too."""
    try:
        tx.commit()
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if any(r is not None and r.code == "TransactionConflict" for r in reasons):
            raise TransactionConflict([CONTENTION]) from exc
        raise


def only_wakeups_failed(conflict: TransactionConflict) -> bool:
    """A wakeup lost a race with the start of the agent's queued run: re-read the agent and retry."""
    return all(tag == "wakeup" for tag in conflict.tags)


def lost_race(issue: Issue) -> Conflict:
    return Conflict(
        "The issue was changed by another request meanwhile; re-read it and try again",
        {"issueId": issue.id},
    )


def checkout_details(issue: Issue) -> dict[str, Any]:
    return {
        "issueId": issue.id,
        "status": issue.status,
        "assigneeAgentId": issue.assignee_agent_id,
        "checkoutRunId": issue.checkout_run_id,
    }


def needs_run(principal: Principal, issue: Issue, always: bool = False) -> bool:
    """Whether this call is run-scoped: an agent mutating an in_progress issue (or releasing any
    issue: `always`). SPEC §2 as rewritten for issue #14."""
    return principal.is_agent and (always or issue.status == "in_progress")


def require_agent_run(principal: Principal, issue: Issue, always: bool = False) -> None:
    """Agents mutating an in_progress issue (or releasing any issue: `always`) must be in a run."""
    if needs_run(principal, issue, always) and not principal.run_id:
        raise Unauthorized("Agent run id required")


def caller_run_id(principal: Principal, issue: Issue, always: bool = False) -> str | None:
    """The caller's run to read with the call's other reads, when the call is run-scoped (its run must
    be active: `require_active_run`)."""
    return principal.run_id if needs_run(principal, issue, always) else None


def require_active_run(principal: Principal, issue: Issue, run: HeartbeatRun | None, now: datetime,
                       always: bool = False) -> None:
    """Run-scoped calls need a real, active run of the calling agent (issue #14, rule 3): 401 without a
    run id, 409 when the run has finished (a run JWT outlives its run) or belongs to someone else."""
    if not needs_run(principal, issue, always):
        return
    require_agent_run(principal, issue, always)
    if run is None or run.agent_id != principal.id or not heartbeats.is_active(run, now):
        status = heartbeats.effective_status(run, now) if run is not None else "missing"
        raise Conflict("The heartbeat run is not active", {"runId": principal.run_id, "status": status})


def holder_run_id(principal: Principal, issue: Issue) -> str | None:
    """The run whose activity decides whether an agent may touch this issue (None: nothing to read)."""
    if principal.is_agent and issue.checkout_run_id and issue.checkout_run_id != principal.run_id:
        return issue.checkout_run_id
    return None


def refuse_if_held_by_other_run(principal: Principal, issue: Issue, holder: HeartbeatRun | None, now: datetime) -> None:
    """An agent may not PATCH, comment on or release an issue another *active* run has checked out.
    A finished, timed-out or missing holder is a stale lock and does not block (the board never is)."""
    if holder_run_id(principal, issue) is None:
        return
    if holder is not None and heartbeats.is_active(holder, now):
        raise Conflict("Issue is checked out by another run", checkout_details(issue))


def require_agent_may_write(principal: Principal, issue: Issue, now: datetime) -> None:
    """An agent writing an issue's documents, attachments or work products follows the rule of PATCH
    and comments (issue #10): it needs an active run of its own while the issue is in_progress, and
    another active run's checkout is 409. The board always may. Pair it with `add_issue_unchanged` in
    the write's transaction."""
    if not principal.is_agent:
        return
    holder_id = holder_run_id(principal, issue)
    own_id = caller_run_id(principal, issue)
    require_agent_run(principal, issue)
    keys = [(HeartbeatRun, r) for r in (holder_id, own_id) if r]
    found = get_many(keys) if keys else {}
    require_active_run(principal, issue, found.get((HeartbeatRun, own_id)) if own_id else None, now)
    refuse_if_held_by_other_run(principal, issue, found.get((HeartbeatRun, holder_id)) if holder_id else None, now)


def holder_unchanged(issue: Issue) -> Any:
    """Condition: still live, with the assignee and checkout this call decided on."""
    return (live() & same_value(Issue.assignee_agent_id, issue.assignee_agent_id)
            & same_value(Issue.checkout_run_id, issue.checkout_run_id))


def add_issue_unchanged(tx: Transaction, principal: Principal, issue: Issue) -> None:
    """For a write that hangs something off the issue (a document, an attachment, a work product): the
    issue is still there and no DELETE has started (else the new item would be orphaned); for agents
    also the assignee and checkout `require_agent_may_write` decided on."""
    condition = holder_unchanged(issue) if principal.is_agent else live()
    tx.check(Issue, issue.id, condition=condition, tag="issue")


class Wakeups:
    """The wakeups of one mutation: at most one per agent (the first reason added wins), never an
    agent that cannot run. Callers leave out whoever must not be woken (a comment's author)."""

    def __init__(self) -> None:
        self._planned: dict[str, tuple[Agent, str, dict[str, str | None]]] = {}

    def add(self, agent: Agent | None, reason: str, **context: str | None) -> None:
        if agent is None or agent.status in heartbeats.NOT_WAKEABLE:
            return
        self._planned.setdefault(agent.id, (agent, reason, context))

    def add_to(self, tx: Transaction, now: datetime) -> None:
        for agent, reason, context in self._planned.values():
            heartbeats.add_wakeup(tx, agent, reason, now, **context)

    def summary(self) -> list[dict[str, str]]:
        return [{"agentId": agent.id, "reason": reason} for agent, reason, _ in self._planned.values()]
