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
from chalicelib.services.issues import issue_lookup
from chalicelib.services.org import planning
from chalicelib.services.runtime import agents
from chalicelib.store.agents import Agent
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


def triggers_of(routine_id: str) -> list[RoutineTrigger]:
    return list(RoutineTrigger.by_routine.query(routine_id))


def updated_key(stamp: str, routine_id: str) -> str:
    return f"{stamp}#{routine_id}"


def is_fireable(routine: Routine) -> bool:
    """Active and runnable without a caller (every required variable has a default)."""
    return routine.status == "active" and not rv.has_unresolvable_required(routine.variables or [])


# --- reference checks (routine create/update and manual-run overrides) ------------------------------

def check_project(principal: Principal | None, project_id: str, company_id: str) -> None:
    project = planning.find_project(project_id)
    require_same_company(principal, project.company_id, company_id, "projectId", project_id, "Project")


def check_assignee(principal: Principal | None, agent_id: str, company_id: str) -> Agent:
    agent = agents.find(agent_id)
    require_same_company(principal, agent.company_id, company_id, "assigneeAgentId", agent_id, "Agent")
    agents.require_assignable(agent)
    return agent


def check_goal(principal: Principal | None, goal_id: str, company_id: str) -> None:
    goal = planning.find_goal(goal_id)
    require_same_company(principal, goal.company_id, company_id, "goalId", goal_id, "Goal")


def resolve_parent_issue(principal: Principal | None, ref: str, company_id: str) -> str:
    issue = issue_lookup.find(ref)
    require_same_company(principal, issue.company_id, company_id, "parentIssueId", ref, "Issue")
    return issue.id
