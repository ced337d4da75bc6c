"""Routines: create, read, update, list (SPEC §5).

Rules enforced here: references in the routine's company (422) and existing (404); an assignee that
can take work (409); `active` needs an assignee (create stores such a routine as `paused`, PATCH is
422); `archived` is terminal. Agents manage only routines assigned to themselves and never reassign;
board users need `tasks:assign` to create, reassign, activate, manage triggers or run routines.

Concurrency: every change to a routine or its triggers conditions on the routine's `updated_key` and
moves it, so a routine update and a trigger change serialise; pausing/archiving/resuming updates
the schedule triggers' sparse "due" index entries in the same transaction.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import response_size
from chalicelib.clock import iso
from chalicelib.errors import BadRequest, Conflict, Forbidden, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.logic import routine_variables as rv
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.org import companies, planning
from chalicelib.services.routines import due_index, routine_lookup
from chalicelib.services.routines.routine_lookup import find, get_visible, updated_key
from chalicelib.services.routines.routine_shapes import (
    issue_full_json, issue_summary_json, routine_json, run_json, trigger_json, trigger_summary_json,
)
from chalicelib.services.runtime import agents
from chalicelib.store.agents import Agent
from chalicelib.store.issues import Issue
from chalicelib.store.pages import Page, query_page
from chalicelib.store.planning import Project
from chalicelib.store.reads import get_many
from chalicelib.store.routines import Routine, RoutineRun, RoutineTrigger
from chalicelib.store.transactions import Transaction, TransactionConflict

STATUSES = ("active", "paused", "archived")
RECENT_RUNS = 25


def _check_variables(title: str, description: str | None, decls: Any) -> list[dict]:
    try:
        normalised = rv.validate_declarations(decls)
    except rv.VariableDeclarationError as exc:
        raise BadRequest("Invalid variable declarations", {exc.field: exc.message})
    try:
        rv.check_placeholders_declared([title, description], normalised)
    except rv.UnknownVariablesError as exc:
        raise Unprocessable(str(exc), {"unknownVariables": exc.names})
    return normalised


# --- create / update -------------------------------------------------------------------------------

def create(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> Routine:
    assignee_id = data.get("assigneeAgentId")
    authorize(principal, "routine.create", company_id, by_id=False, target_agent_id=assignee_id)
    title, description = data["title"], data.get("description")
    decls = _check_variables(title, description, data.get("variables"))
    parent_id = routine_lookup.check_references(
        principal, company_id, company=True, project_id=data["projectId"], goal_id=data.get("goalId"),
        parent_ref=data.get("parentIssueId"), assignee_id=assignee_id)
    status = data.get("status") or "active"
    if status == "active" and not assignee_id:
        status = "paused"  # SPEC §5: an active routine needs someone to run it
    stamp, routine_id = iso(now), new_id()
    routine = Routine(
        id=routine_id, company_id=company_id, project_id=data["projectId"], goal_id=data.get("goalId"),
        parent_issue_id=parent_id, title=title, description=description, assignee_agent_id=assignee_id,
        priority=data.get("priority") or "medium", status=status,
        concurrency_policy=data.get("concurrencyPolicy") or "coalesce_if_active",
        catch_up_policy=data.get("catchUpPolicy") or "skip_missed", variables=decls, trigger_ids_kept=True,
        **{attr: data[key] for key, attr in STORED_AS_GIVEN.items() if data.get(key) is not None},
        created_at=stamp, updated_at=stamp, updated_key=updated_key(stamp, routine_id),
    )
    tx = Transaction()
    tx.save(routine, condition=Routine.id.does_not_exist())
    tx.save(activity.entry(principal, company_id, "routine.created", "routine", routine_id, now, {"title": title}))
    if assignee_id:  # still assignable when the write lands, not only when read (as issue create)
        agents.assignable_check(tx, assignee_id)
    try:
        tx.commit()
    except TransactionConflict as conflict:
        if "assignee" in conflict.tags:
            raise Conflict("The assignee can no longer take work", {"assigneeAgentId": assignee_id})
        raise
    return routine


# Upstream's routine fields that carry no behaviour here: stored and returned as given (validators.md §6.1).
STORED_AS_GIVEN = {
    "activityGatePolicy": "activity_gate_policy", "activityGateScope": "activity_gate_scope", "env": "env",
    "folderId": "folder_id",
}
_PLAIN_FIELDS = {
    "title": "title", "description": "description", "priority": "priority",
    "concurrencyPolicy": "concurrency_policy", "catchUpPolicy": "catch_up_policy", **STORED_AS_GIVEN,
}


def update(principal: Principal, routine_id: str, data: dict[str, Any], now: datetime) -> Routine:
    """Writes only the attributes that change (UpdateItem), conditioned on the routine's `updated_key`
    as read, which every routine and trigger change moves. Runs write other attributes (the live-issue
    slot, last run) and are never undone by a PATCH (issue #10)."""
    routine = get_visible(principal, routine_id, "routine.update")
    read = {a: getattr(routine, a) for a in _WRITABLE}
    old_status, old_assignee = routine.status, routine.assignee_agent_id
    new_status = data.get("status", old_status)
    if new_status is None:
        raise BadRequest("Validation failed", {"status": "must not be null"})
    if old_status == "archived" and new_status != "archived":
        raise Unprocessable("An archived routine cannot change status", {"from": old_status, "to": new_status})
    if "assigneeAgentId" in data and data["assigneeAgentId"] != old_assignee:
        if principal.is_agent:
            raise Forbidden("Agents may not reassign routines")
        authorize(principal, "issue.assign", routine.company_id)
        routine.assignee_agent_id = data["assigneeAgentId"]
    if new_status == "active" and old_status != "active":
        authorize(principal, "issue.assign", routine.company_id)
    if new_status == "active" and not routine.assignee_agent_id:
        raise Unprocessable("An active routine needs an assignee", {"assigneeAgentId": None})
    if "projectId" in data and not data["projectId"]:
        raise BadRequest("Validation failed", {"projectId": "must not be null"})
    parent_id = routine_lookup.check_references(
        principal, routine.company_id, project_id=data.get("projectId"), goal_id=data.get("goalId"),
        parent_ref=data.get("parentIssueId"),
        assignee_id=routine.assignee_agent_id if routine.assignee_agent_id != old_assignee else None)
    if "projectId" in data:
        routine.project_id = data["projectId"]
    if "goalId" in data:
        routine.goal_id = data["goalId"]
    if "parentIssueId" in data:
        routine.parent_issue_id = parent_id
    for wire, attr in _PLAIN_FIELDS.items():
        if wire in data:
            if data[wire] is None and wire not in ("description", "env", "folderId"):
                raise BadRequest("Validation failed", {wire: "must not be null"})
            setattr(routine, attr, data[wire])
    if "variables" in data:
        routine.variables = data["variables"]
    routine.variables = _check_variables(routine.title, routine.description, routine.variables or [])
    routine.status = new_status

    stamp, previous_key = iso(now), routine.updated_key
    routine.updated_at, routine.updated_key = stamp, updated_key(stamp, routine.id)
    actions = [Routine.updated_at.set(stamp), Routine.updated_key.set(routine.updated_key)]
    actions += [getattr(Routine, a).set(getattr(routine, a)) if getattr(routine, a) is not None
                else getattr(Routine, a).remove() for a in _WRITABLE if getattr(routine, a) != read[a]]
    tx = Transaction()
    tx.update(Routine(id=routine.id), actions=actions, condition=Routine.updated_key == previous_key, tag="routine")
    due_index.add_due_index_ops(tx, routine, resumed=old_status != "active" and new_status == "active", now=now)
    tx.save(activity.entry(principal, routine.company_id, "routine.updated", "routine", routine.id, now,
                           {"changes": sorted(data.keys()), "status": new_status}))
    if routine.assignee_agent_id and routine.assignee_agent_id != old_assignee:
        agents.assignable_check(tx, routine.assignee_agent_id)
    try:
        tx.commit()
    except TransactionConflict as conflict:
        if "assignee" in conflict.tags:
            raise Conflict("The assignee can no longer take work", {"assigneeAgentId": routine.assignee_agent_id})
        raise Conflict("The routine changed meanwhile; reload and retry")
    except TransactWriteError:
        raise Conflict("The routine changed meanwhile; reload and retry")
    return find(routine.id)


# What a PATCH may write besides updated_at/updated_key (never the live slot or last run: runs own those).
_WRITABLE = ("title", "description", "priority", "concurrency_policy", "catch_up_policy", "assignee_agent_id",
             "project_id", "goal_id", "parent_issue_id", "variables", "status", *STORED_AS_GIVEN.values())


# --- reads -----------------------------------------------------------------------------------------

def list_for_company(principal: Principal, company_id: str, project_id: str | None, status: str | None,
                     limit: int, cursor: str | None) -> Page:
    authorize(principal, "routine.read", company_id, by_id=False)
    if status and status not in STATUSES:
        raise BadRequest("Invalid status", {"status": f"must be one of {', '.join(STATUSES)}"})
    condition = None
    if project_id:
        condition = Routine.project_id == project_id
    if status:
        condition = (Routine.status == status) if condition is None else condition & (Routine.status == status)
    page = query_page(Routine.by_company, company_id, limit=limit, cursor=cursor, newest_first=True,
                      filter_condition=condition)
    return companies.require_listable(page, company_id, cursor)


def list_summaries(routines: list[Routine]) -> list[dict[str, Any]]:
    """List items without N+1 and whatever the company's size (issue 11): one BatchGetItem each for the
    page's last runs, live issues and triggers (per 100 items)."""
    if not routines:
        return []
    run_ids = [r.last_run_id for r in routines if r.last_run_id]
    runs = {run.id: run for run in RoutineRun.batch_get(run_ids)} if run_ids else {}
    issue_ids = list({r.live_issue_id for r in routines if r.live_issue_id})
    issues = {i.id: i for i in Issue.batch_get(issue_ids)} if issue_ids else {}
    triggers = routine_lookup.triggers_of_many(routines)
    out = []
    for r in routines:
        item = routine_json(r)
        item["triggers"] = [trigger_summary_json(t) for t in triggers.get(r.id, [])]
        run = runs.get(r.last_run_id) if r.last_run_id else None
        item["lastRun"] = run_json(run) if run else None
        issue = issues.get(r.live_issue_id) if r.live_issue_id else None
        item["activeIssue"] = issue_summary_json(issue) if issue and issue.status not in ("done", "cancelled") else None
        out.append(item)
    return out


def detail(principal: Principal, routine_id: str) -> dict[str, Any]:
    """The routine with its project, assignee, parent issue, live issue and triggers read in one
    TransactGetItems (up to 21 triggers; more take one per 25), and its recent runs in one Query."""
    routine = get_visible(principal, routine_id)
    item = routine_json(routine)
    refs = [(Project, routine.project_id), (Agent, routine.assignee_agent_id), (Issue, routine.parent_issue_id),
            (Issue, routine.live_issue_id)]
    keys = [(model, ref) for model, ref in refs if ref and is_uuid(ref)]
    keys += [(RoutineTrigger, t) for t in sorted(routine.trigger_ids or ())] if routine.trigger_ids_kept else []
    found = get_many(keys)
    project = found.get((Project, routine.project_id))
    item["project"] = planning.project_to_json(project) if project and not project.deleting_at else None
    assignee = found.get((Agent, routine.assignee_agent_id))
    item["assignee"] = agents.to_json(assignee) if assignee else None
    parent = found.get((Issue, routine.parent_issue_id))
    item["parentIssue"] = issue_summary_json(parent) if parent else None
    triggers = ([found[(RoutineTrigger, t)] for t in sorted(routine.trigger_ids or ()) if found[(RoutineTrigger, t)]]
                if routine.trigger_ids_kept else routine_lookup.triggers_of(routine))
    item["triggers"] = [trigger_json(t) for t in sorted(triggers, key=lambda t: (t.created_at, t.id))]
    runs = [run_json(run) for run in
            query_page(RoutineRun.by_routine, routine.id, limit=RECENT_RUNS, cursor=None, newest_first=True).items]
    item["lastRun"] = runs[0] if runs else None
    issue = found.get((Issue, routine.live_issue_id))
    item["activeIssue"] = issue_full_json(issue) if issue and issue.status not in ("done", "cancelled") else None
    # the newest runs that fit (issue #11: a run's payload can take ~770 KB escaped); /runs pages them all
    item["recentRuns"] = response_size.leading(runs, response_size.RESPONSE_BUDGET - response_size.body_len(item))
    return item
