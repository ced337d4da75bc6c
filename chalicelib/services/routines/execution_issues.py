"""Creating a routine's execution issue inside the dispatch transaction.

The issues API creates issues the same way (number from an atomic ADD on `Company.issue_counter`, then
one transaction with the issue, its identifier key, activity `issue.created` and the assignee wakeup);
this module adds those ops to the *dispatch* transaction so the run, the routine's live slot and the
issue commit together or not at all. Field conventions mirror the issues service.

A number is allocated before the transaction; if the transaction then fails (a lost race for the live
slot), that number is burned: identifiers stay unique and increasing, but may skip a number.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.clock import epoch_ms, iso
from chalicelib.ids import new_id
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.store.issues import Issue, list_sort_key
from chalicelib.store.transactions import Transaction
from chalicelib.store.uniques import UniqueKey, issue_identifier_key


def add_create_ops(tx: Transaction, actor: Principal | None, *, company_id: str, identifier: str, title: str,
                   description: str | None, priority: str, project_id: str | None, goal_id: str | None,
                   parent_id: str | None, assignee_agent_id: str | None, routine_id: str, run_id: str,
                   now: datetime) -> Issue:
    """Add the issue, its identifier key and activity to `tx`; returns the (unsaved) issue.

    The caller adds the assignee wakeup (it needs the agent item) with `heartbeats.add_wakeup`.
    """
    stamp = iso(now)
    issue_id = new_id()
    issue = Issue(
        id=issue_id,
        company_id=company_id,
        identifier=identifier,
        title=title,
        description=description,
        status="todo",
        priority=priority,
        assignee_agent_id=assignee_agent_id,
        project_id=project_id,
        goal_id=goal_id,
        parent_id=parent_id,
        origin_kind="routine_execution",
        origin_id=routine_id,
        origin_run_id=run_id,
        created_at=stamp,
        updated_at=stamp,
        list_sort=list_sort_key(priority, epoch_ms(now), issue_id),
    )
    tx.save(issue, condition=Issue.id.does_not_exist(), tag="issue")
    tx.save(UniqueKey(key=issue_identifier_key(identifier), ref=issue_id),
            condition=UniqueKey.key.does_not_exist(), tag="identifier")
    tx.save(activity.entry(actor, company_id, "issue.created", "issue", issue_id, now,
                           {"identifier": identifier, "title": title, "status": "todo",
                            "assigneeAgentId": assignee_agent_id, "originKind": "routine_execution",
                            "routineId": routine_id, "routineRunId": run_id}))
    return issue
