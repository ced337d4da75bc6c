"""`DELETE /api/projects/{idOrUrlKey}` and `DELETE /api/goals/{goalId}`: refused (409) while anything
still points at them.

Upstream (validators.md §9.1) deletes plainly and lets Postgres's foreign keys decide: a project with
issues, or a goal referenced by projects, issues or sub-goals, fails with an unmapped FK error, i.e. a
500 (a project's routines are cascaded there). A 500 is never an answer here: the same cases are a
409 naming what still references the entity, and a project's routines count as references too (their
runs would otherwise be left pointing at nothing).

No read-then-delete: the entity is first marked (`deletingAt`, conditional UpdateItem), from which
point it reads as gone to this domain (`planning.find_*`, listings, updates); then its references are
looked for (one Query per page of the company's issues, routines, projects or goals, filtered, stopping
at the first hit); none → one transaction deletes it (conditioned on the mark) with its activity entry;
some → the mark is removed and the answer is 409. A crash while marked leaves an entity that reads as
gone until a repeated DELETE finishes (or refuses and unmarks) it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.clock import iso
from chalicelib.errors import Conflict, NotFound
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.store.issues import Issue
from chalicelib.store.planning import Goal, Project
from chalicelib.store.routines import Routine
from chalicelib.store.transactions import Transaction, TransactionConflict


def _first(index: Any, company_id: str, condition: Any) -> Any | None:
    """The first item of the company matching `condition` (one Query per page until a hit)."""
    for item in index.query(company_id, filter_condition=condition, page_size=100):
        return item
    return None


def _mark(model: Any, entity: Any, now: datetime) -> None:
    try:
        entity.update(actions=[model.deleting_at.set(iso(now))],
                      condition=model.id.exists() & model.deleting_at.does_not_exist())
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        # Marked already: a DELETE that was interrupted (or runs alongside) - carry on from the mark.


def _unmark(model: Any, entity: Any) -> None:
    entity.update(actions=[model.deleting_at.remove()], condition=model.id.exists())


def _finish(principal: Principal, model: Any, entity: Any, action: str, kind: str, now: datetime,
            details: dict[str, Any]) -> None:
    tx = Transaction()
    tx.delete(entity, condition=model.deleting_at.exists())
    tx.save(activity.entry(principal, entity.company_id, action, kind, entity.id, now, details))
    try:
        tx.commit()
    except TransactionConflict:
        raise NotFound(f"{kind.capitalize()} not found")  # a concurrent DELETE finished first


def delete_project(principal: Principal, project: Project, now: datetime) -> Project:
    """409 while issues or routines reference the project."""
    authorize(principal, "planning.delete", project.company_id, what="Project")
    _mark(Project, project, now)
    issue = _first(Issue.by_company, project.company_id, Issue.project_id == project.id)
    routine = None if issue else _first(Routine.by_company, project.company_id, Routine.project_id == project.id)
    if issue or routine:
        _unmark(Project, project)
        what = {"issueId": issue.id} if issue else {"routineId": routine.id}
        raise Conflict("Project cannot be deleted while issues or routines reference it", what)
    _finish(principal, Project, project, "project.deleted", "project", now, {"name": project.name})
    return project


def delete_goal(principal: Principal, goal: Goal, now: datetime) -> Goal:
    """409 while sub-goals, projects, issues or routines reference the goal."""
    authorize(principal, "planning.delete", goal.company_id, what="Goal")
    _mark(Goal, goal, now)
    checks = (
        ("goalId", Goal.by_company, Goal.parent_id == goal.id),
        ("projectId", Project.by_company, Project.goal_ids.contains(goal.id)),
        ("issueId", Issue.by_company, Issue.goal_id == goal.id),
        ("routineId", Routine.by_company, Routine.goal_id == goal.id),
    )
    for field, index, condition in checks:
        found = _first(index, goal.company_id, condition)
        if found is not None:
            _unmark(Goal, goal)
            raise Conflict("Goal cannot be deleted while sub-goals, projects, issues or routines reference it",
                           {field: found.id})
    _finish(principal, Goal, goal, "goal.deleted", "goal", now, {"title": goal.title})
    return goal
