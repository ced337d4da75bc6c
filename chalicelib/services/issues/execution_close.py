"""A routine execution issue reaching done or cancelled (SPEC §5 "Dispatch"): its routine run becomes
`completed` / `failed` and the routine's live-issue slot is freed, inside the issue's own status-change
transaction, so the slot is never stale. A comment reopening such an issue (upstream's reopen) takes the
slot back, so a routine still has at most one live execution issue (SPEC §5): when another issue holds
it meanwhile, the reopen fails (409) instead of making two live ones.

It lives in the issues domain because the issues PATCH calls it; it touches the routine tables only
through the store, so issues never import the routines services (which import issues).
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.clock import iso
from chalicelib.store.issues import Issue
from chalicelib.store.routines import Routine, RoutineRun
from chalicelib.store.transactions import Transaction

TERMINAL_ISSUE_STATUSES = ("done", "cancelled")


def add_close_ops(tx: Transaction, issue: Issue, new_status: str, now: datetime) -> None:
    """Add to the issue's status-change transaction: finish its routine run and free the live slot.

    Call when a routine execution issue moves to done or cancelled. The slot is cleared only if it
    still names this issue (conditional); if it names another issue (always_enqueue) it can never come
    to name this one later, so skipping the op is safe.
    """
    if issue.origin_kind != "routine_execution" or new_status not in TERMINAL_ISSUE_STATUSES:
        return
    stamp = iso(now)
    if issue.origin_run_id:
        actions = [RoutineRun.status.set("completed" if new_status == "done" else "failed"),
                   RoutineRun.completed_at.set(stamp)]
        if new_status == "cancelled":
            actions.append(RoutineRun.failure_reason.set("Execution issue moved to cancelled"))
        tx.update(RoutineRun(id=issue.origin_run_id), actions=actions, condition=RoutineRun.id.exists(), tag="routine_run")
    if issue.origin_id:
        try:
            routine = Routine.get(issue.origin_id, consistent_read=True)
        except Routine.DoesNotExist:
            return
        if routine.live_issue_id == issue.id:
            tx.update(routine, actions=[Routine.live_issue_id.remove(), Routine.live_run_id.remove()],
                      condition=Routine.live_issue_id == issue.id, tag="routine_live")


def add_reopen_ops(tx: Transaction, issue: Issue, now: datetime) -> None:
    """Add to a reopen's transaction: the issue is live again, so its routine's slot names it again (only
    if the slot is free: condition, tag "routine_live") and its run is back to `issue_created`."""
    if issue.origin_kind != "routine_execution" or issue.status not in TERMINAL_ISSUE_STATUSES:
        return
    if issue.origin_run_id:
        tx.update(RoutineRun(id=issue.origin_run_id),
                  actions=[RoutineRun.status.set("issue_created"), RoutineRun.completed_at.remove(),
                           RoutineRun.failure_reason.remove()],
                  condition=RoutineRun.id.exists(), tag="routine_run")
    if not issue.origin_id:
        return
    try:
        routine = Routine.get(issue.origin_id, consistent_read=True)
    except Routine.DoesNotExist:
        return
    run_id = issue.origin_run_id or issue.id
    if routine.concurrency_policy == "always_enqueue":  # several live issues are allowed: fill an empty slot only
        tx.update(routine, actions=[Routine.live_issue_id.set(Routine.live_issue_id | issue.id),
                                    Routine.live_run_id.set(Routine.live_run_id | run_id)],
                  condition=Routine.id.exists(), tag="routine_live")
        return
    tx.update(routine, actions=[Routine.live_issue_id.set(issue.id), Routine.live_run_id.set(run_id)],
              condition=Routine.live_issue_id.does_not_exist() | (Routine.live_issue_id == issue.id), tag="routine_live")
