"""Finding routines and triggers, and the rules every routine service checks first (SPEC §5).

The bottom of the routines domain: the routine, trigger, dispatch and scheduler services all import
this module and none of them is imported by it.
"""
from __future__ import annotations

from chalicelib.errors import NotFound
from chalicelib.ids import is_uuid
from chalicelib.logic import routine_variables as rv
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.services.issues import issues
from chalicelib.services.runtime import agents
from chalicelib.store.agents import Agent
from chalicelib.store.companies import Company
from chalicelib.store.issues import Issue
from chalicelib.store.planning import Goal, Project
from chalicelib.store.reads import get_many
from chalicelib.store.routines import Routine, RoutineTrigger

def find(routine_id: str, consistent: bool = True) -> Routine:
    if not is_uuid(routine_id or ""):
        raise NotFound("Routine not found")
    try:
        return Routine.get(routine_id, consistent_read=consistent)
    except Routine.DoesNotExist:
        raise NotFound("Routine not found")


def get_visible(principal: Principal, routine_id: str, action: str = "routine.read") -> Routine:
    """The routine, if `action` on it is allowed. SELF rules (agents) hold for the routine's assignee:
    agents manage only routines assigned to themselves (SPEC §5)."""
    routine = find(routine_id)
    authorize(principal, action, routine.company_id, what="Routine", target_agent_id=routine.assignee_agent_id)
    return routine


def find_trigger(trigger_id: str) -> RoutineTrigger:
    if not is_uuid(trigger_id or ""):
        raise NotFound("Trigger not found")
    try:
        return RoutineTrigger.get(trigger_id, consistent_read=True)
    except RoutineTrigger.DoesNotExist:
        raise NotFound("Trigger not found")


def triggers_of(routine: Routine, consistent: bool = True) -> list[RoutineTrigger]:
    """The routine's triggers, oldest first."""
    return triggers_of_many([routine], consistent)[routine.id]


def triggers_of_many(routines: list[Routine], consistent: bool = False) -> dict[str, list[RoutineTrigger]]:
    """{routine id: its triggers, oldest first}: one BatchGetItem per 100 triggers from the routines'
    `trigger_ids`, so the cost follows the page, never the company (issue 11). A routine written before
    `trigger_ids` existed costs one Query of the by-routine index."""
    found: dict[str, list[RoutineTrigger]] = {r.id: [] for r in routines}
    ids = [t for r in routines if r.trigger_ids_kept for t in sorted(r.trigger_ids or ())]
    for trigger in (RoutineTrigger.batch_get(ids, consistent_read=consistent) if ids else ()):
        if trigger.routine_id in found:
            found[trigger.routine_id].append(trigger)
    for r in routines:
        if not r.trigger_ids_kept:
            found[r.id] = list(RoutineTrigger.by_routine.query(r.id))
    for triggers in found.values():
        triggers.sort(key=lambda t: (t.created_at, t.id))
    return found


def updated_key(stamp: str, routine_id: str) -> str:
    return f"{stamp}#{routine_id}"


def is_fireable(routine: Routine) -> bool:
    """Active and runnable without a caller (every required variable has a default)."""
    return routine.status == "active" and not rv.has_unresolvable_required(routine.variables or [])


# --- reference checks (routine create/update and manual-run overrides) ------------------------------

def check_references(principal: Principal | None, company_id: str, *, project_id: str | None = None,
                     goal_id: str | None = None, parent_ref: str | None = None, assignee_id: str | None = None,
                     company: bool = False) -> str | None:
    """Check every reference a routine write names with ONE TransactGetItems (issue 11: routine create
    cost 7 requests reading them one by one); returns the parent issue's id (a parent may be named by
    identifier, which costs one more read first).

    Errors, in this order: the company (when `company`) missing or being deleted -> 404; a reference
    missing -> 404 naming the field; another company's -> 422 or 404 (access/references.py); an assignee
    that cannot take work (terminated, pending approval) -> 409.
    """
    parent_id = issues.resolve_issue_id(parent_ref) if parent_ref else None
    wanted = [("projectId", Project, project_id, "Project"), ("goalId", Goal, goal_id, "Goal"),
              ("parentIssueId", Issue, parent_id, "Issue"), ("assigneeAgentId", Agent, assignee_id, "Agent")]
    if company and not is_uuid(company_id):
        raise NotFound("Company not found")
    keys = [(Company, company_id)] if company else []
    keys += [(model, value) for _, model, value, _ in wanted if value and is_uuid(value)]
    found = {key: item for key, item in get_many(keys).items()
             if item is not None and not getattr(item, "deleting_at", None)}  # being deleted: already gone
    if company and (Company, company_id) not in found:
        raise NotFound("Company not found")
    if parent_ref and parent_id is None:
        raise NotFound("Issue not found", {"parentIssueId": parent_ref})
    for field, model, value, label in wanted:
        if value and (model, value) not in found:
            raise NotFound(f"{label} not found", {field: parent_ref if field == "parentIssueId" else value})
    for field, model, value, label in wanted:
        if value:
            given = parent_ref if field == "parentIssueId" else value
            require_same_company(principal, found[(model, value)].company_id, company_id, field, given, label)
    if assignee_id:
        agents.require_assignable(found[(Agent, assignee_id)])
    return parent_id
