"""The pieces every issue service shares: references (read in one request and checked), identifiers,
the parent chain and the issue's JSON.

Create lives in issue_create.py, the list in issue_list.py, GET in issue_detail.py, PATCH in
issue_updates.py, checkout/release in issue_checkout.py, comments in issue_comments.py, DELETE in
issue_delete.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.errors import NotFound
from chalicelib.ids import is_uuid
from chalicelib.services.access.permissions import authorize
from chalicelib.services.issues import issue_fields, issue_lookup
from chalicelib.services.runtime import agents
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.store.agents import Agent
from chalicelib.store.companies import Company
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue
from chalicelib.store.planning import Goal, Project
from chalicelib.store.reads import get_many
from chalicelib.store.uniques import UniqueKey, issue_identifier_key

MAX_ANCESTOR_DEPTH = 50  # deeper parent chains are refused on PATCH and cut short on GET


# --- references ---------------------------------------------------------------------------------


@dataclass
class References:
    project: Project | None = None
    goal: Goal | None = None
    parent: Issue | None = None
    assignee: Agent | None = None
    holder_run: HeartbeatRun | None = None
    agents: dict[str, Agent | None] | None = None
    caller_run: HeartbeatRun | None = None
    extra: dict[Any, Any] | None = None  # the `extra` keys read in the same request


def resolve_issue_id(ref: str) -> str | None:
    """A parent given as UUID or identifier -> the issue id (None when it names nothing)."""
    if is_uuid(ref):
        return ref
    if issue_lookup.IDENTIFIER_RE.match(ref or ""):
        try:
            return UniqueKey.get(issue_identifier_key(ref), consistent_read=True).ref
        except UniqueKey.DoesNotExist:
            return None
    return None


def load_references(
    principal: Principal | None,
    company_id: str,
    *,
    project_id: str | None = None,
    goal_id: str | None = None,
    parent_ref: str | None = None,
    assignee_id: str | None = None,
    holder_run_id: str | None = None,
    caller_run_id: str | None = None,
    agent_ids: tuple[str, ...] = (),
    require_company: bool = False,
    extra: tuple[Any, ...] = (),
) -> References:
    """Read every named reference in ONE TransactGetItems request (up to 25 items) and check it:
    missing -> 404, another company's -> 422, an assignee that is terminated or pending approval -> 409.
    `extra` keys ((Model, hash key) pairs) are read in the same request and returned unchecked."""
    parent_id = resolve_issue_id(parent_ref) if parent_ref else None
    if parent_ref and parent_id is None:
        raise NotFound("Parent issue not found", {"parentId": parent_ref})
    wanted: list[tuple[str, type, str | None, str]] = [
        ("projectId", Project, project_id, "Project"),
        ("goalId", Goal, goal_id, "Goal"),
        ("parentId", Issue, parent_id, "Parent issue"),
        ("assigneeAgentId", Agent, assignee_id, "Assignee agent"),
    ]
    for field, _, value, label in wanted:
        if value is not None and not is_uuid(value):
            raise NotFound(f"{label} not found", {field: value})
    keys = [(model, value) for _, model, value, _ in wanted if value]
    keys += [(Agent, a) for a in agent_ids if is_uuid(a)]
    for run_id in (holder_run_id, caller_run_id):
        if run_id and is_uuid(run_id):
            keys.append((HeartbeatRun, run_id))
    keys += list(extra)
    if require_company and keys:
        keys.append((Company, company_id))  # free in the same request: a missing company is 404 first
    found = get_many(keys)
    if require_company and keys and found[(Company, company_id)] is None:
        raise NotFound("Company not found")
    for field, model, value, label in wanted:
        if value and (found[(model, value)] is None or (model is Issue and found[(model, value)].deleting_at)):
            raise NotFound(f"{label} not found", {field: parent_ref if field == "parentId" else value})
    for field, model, value, label in wanted:
        if value:
            given = parent_ref if field == "parentId" else value
            require_same_company(principal, found[(model, value)].company_id, company_id, field, given, label)
    refs = References(
        project=found.get((Project, project_id)) if project_id else None,
        goal=found.get((Goal, goal_id)) if goal_id else None,
        parent=found.get((Issue, parent_id)) if parent_id else None,
        assignee=found.get((Agent, assignee_id)) if assignee_id else None,
        holder_run=found.get((HeartbeatRun, holder_run_id)) if holder_run_id else None,
        agents={a: found.get((Agent, a)) for a in agent_ids},
        caller_run=found.get((HeartbeatRun, caller_run_id)) if caller_run_id else None,
        extra={key: found.get(key) for key in extra},
    )
    if refs.assignee is not None:
        agents.require_assignable(refs.assignee)
    return refs


def require_can_assign(principal: Principal, company_id: str) -> None:
    """Assigning work is its own action (`issue.assign`): board users need `tasks:assign`."""
    authorize(principal, "issue.assign", company_id)


# --- identifiers ----------------------------------------------------------------------------------


def allocate_identifier(company_id: str) -> str:
    """`{issuePrefix}-{n}`: one UpdateItem that adds 1 to the counter and returns the new value."""
    company = Company(id=company_id)
    try:
        company.update(actions=[Company.issue_counter.add(1)], condition=Company.id.exists())
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise NotFound("Company not found")
        raise
    return f"{company.issue_prefix}-{int(company.issue_counter)}"


# --- the parent chain -----------------------------------------------------------------------------


def ancestors_of(issue: Issue) -> list[Issue]:
    """The parent chain, nearest first (one consistent GetItem per level; stops on a cycle)."""
    chain: list[Issue] = []
    seen = {issue.id}
    parent_id = issue.parent_id
    while parent_id and parent_id not in seen and len(chain) < MAX_ANCESTOR_DEPTH:
        try:
            parent = Issue.get(parent_id, consistent_read=True)
        except Issue.DoesNotExist:
            break
        chain.append(parent)
        seen.add(parent.id)
        parent_id = parent.parent_id
    return chain


# --- JSON -----------------------------------------------------------------------------------------


def to_json(issue: Issue) -> dict[str, Any]:
    """SPEC §4's fields, then upstream's (issue_fields.py)."""
    return {
        "id": issue.id,
        "companyId": issue.company_id,
        "identifier": issue.identifier,
        "title": issue.title,
        "description": issue.description,
        "status": issue.status,
        "priority": issue.priority,
        "assigneeAgentId": issue.assignee_agent_id,
        "checkoutRunId": issue.checkout_run_id,
        "projectId": issue.project_id,
        "goalId": issue.goal_id,
        "parentId": issue.parent_id,
        "billingCode": issue.billing_code,
        "originKind": issue.origin_kind,
        "originId": issue.origin_id,
        "originRunId": issue.origin_run_id,
        "startedAt": issue.started_at,
        "completedAt": issue.completed_at,
        "cancelledAt": issue.cancelled_at,
        "createdAt": issue.created_at,
        "updatedAt": issue.updated_at,
        **issue_fields.to_json(issue),
    }

