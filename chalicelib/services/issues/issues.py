"""Issues: create, list, read (with project, goal, ancestors and documents), and the shared pieces the
other issue services use (references, identifiers, JSON).

PATCH lives in issue_updates.py, checkout/release in issue_checkout.py, comments in issue_comments.py.

Identifiers: `{issuePrefix}-{n}` where n comes from one atomic ADD on `Company.issue_counter` (an
UpdateItem that returns the new value), *then* one transaction puts the issue, its identifier key, the
activity entry and the assignee's wakeup. Identifiers are therefore unique and increasing; a create
whose transaction fails after the ADD (a bug, an outage) leaves a gap: that number is never reused.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.clock import epoch_ms, iso
from chalicelib.errors import BadRequest, Conflict, NotFound, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.logic import issue_status
from chalicelib.logic.legacy_plan import legacy_plan_document
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.issues import issue_documents, issue_guards, issue_lookup
from chalicelib.services.org import planning
from chalicelib.services.runtime import agents
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.store.agents import Agent
from chalicelib.store.companies import Company
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue, list_sort_key
from chalicelib.store.pages import Page, query_page
from chalicelib.store.planning import Goal, Project
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction, TransactionConflict
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
    agent_ids: tuple[str, ...] = (),
    require_company: bool = False,
) -> References:
    """Read every named reference in ONE TransactGetItems request and check it: missing -> 404,
    another company's -> 422, an assignee that is terminated or pending approval -> 409."""
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
    if holder_run_id and is_uuid(holder_run_id):
        keys.append((HeartbeatRun, holder_run_id))
    if require_company and keys:
        keys.append((Company, company_id))  # free in the same request: a missing company is 404 first
    found = get_many(keys)
    if require_company and keys and found[(Company, company_id)] is None:
        raise NotFound("Company not found")
    for field, model, value, label in wanted:
        if value and found[(model, value)] is None:
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
    )
    if refs.assignee is not None:
        agents.require_assignable(refs.assignee)
    return refs


def require_can_assign(principal: Principal, company_id: str) -> None:
    """Assigning work is its own action (`issue.assign`): board users need `tasks:assign`."""
    authorize(principal, "issue.assign", company_id)


# --- create ---------------------------------------------------------------------------------------


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


def create(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> Issue:
    authorize(principal, "issue.write", company_id, by_id=False)
    if not is_uuid(company_id):
        raise NotFound("Company not found")
    assignee_id = data.get("assigneeAgentId")
    status = data.get("status") or ("todo" if assignee_id else "backlog")
    if status not in issue_status.CREATE_STATUSES:
        raise Unprocessable(
            "An issue can only be created as backlog, todo or blocked",
            {"status": status, "allowed": list(issue_status.CREATE_STATUSES)},
        )
    if assignee_id:
        require_can_assign(principal, company_id)
    refs = load_references(
        principal,
        company_id,
        project_id=data.get("projectId"),
        goal_id=data.get("goalId"),
        parent_ref=data.get("parentId"),
        assignee_id=assignee_id,
        require_company=True,
    )
    identifier = allocate_identifier(company_id)
    stamp = iso(now)
    issue_id = new_id()
    priority = data.get("priority") or "medium"
    issue = Issue(
        id=issue_id,
        company_id=company_id,
        identifier=identifier,
        title=data["title"],
        description=data.get("description"),
        status=status,
        priority=priority,
        assignee_agent_id=assignee_id,
        project_id=data.get("projectId"),
        goal_id=data.get("goalId"),
        parent_id=refs.parent.id if refs.parent else None,
        billing_code=data.get("billingCode"),
        origin_kind="manual",
        created_at=stamp,
        updated_at=stamp,
        list_sort=list_sort_key(priority, epoch_ms(now), issue_id),
        version=1,
    )
    assignee = refs.assignee
    for _ in range(issue_guards.WAKEUP_ATTEMPTS):
        wakeups = issue_guards.Wakeups()
        if assignee is not None and issue_status.wakes_assignee(status):
            wakeups.add(assignee, "issue_assigned", issueId=issue_id)
        tx = Transaction()
        tx.save(issue, condition=Issue.id.does_not_exist(), tag="issue")
        tx.save(UniqueKey(key=issue_identifier_key(identifier), ref=issue_id),
                condition=UniqueKey.key.does_not_exist(), tag="identifier")
        tx.save(activity.entry(principal, company_id, "issue.created", "issue", issue_id, now,
                               {"identifier": identifier, "title": issue.title, "status": status,
                                "assigneeAgentId": assignee_id}))
        wakeups.add_to(tx, now)
        if assignee_id:
            agents.assignable_check(tx, assignee_id)
        try:
            issue_guards.commit(tx)
            return issue
        except TransactionConflict as conflict:
            if "assignee" in conflict.tags:
                raise Conflict("The assignee can no longer take work", {"assigneeAgentId": assignee_id})
            if not issue_guards.only_wakeups_failed(conflict):
                raise Conflict("Could not create the issue; try again", {"identifier": identifier})
            assignee = agents.find(assignee_id)  # its queued run was started: join the new slot
            agents.require_assignable(assignee)
    raise Conflict("Could not record the assignee's wakeup; try again")


# --- list -----------------------------------------------------------------------------------------


def list_for_company(principal: Principal, company_id: str, query: dict[str, str], limit: int, cursor: str | None) -> Page:
    """Priority (critical first), then most recently updated: the by-company index's sort order.
    Filters are a FilterExpression, so every page is exactly one Query (a page may come back short)."""
    authorize(principal, "issue.read", company_id, by_id=False)
    try:
        statuses = issue_status.parse_status_filter(query.get("status"))
    except ValueError as exc:
        raise BadRequest("Invalid status filter", {"status": f"unknown status: {exc}",
                                                   "allowed": ", ".join(issue_status.STATUSES)})
    conditions = []
    if statuses:
        conditions.append(Issue.status.is_in(*statuses))
    for param, attr in (("assigneeAgentId", Issue.assignee_agent_id), ("projectId", Issue.project_id),
                        ("parentId", Issue.parent_id)):
        if query.get(param):
            conditions.append(attr == query[param])
    condition = None
    for c in conditions:
        condition = c if condition is None else condition & c
    return query_page(Issue.by_company, company_id, limit=limit, cursor=cursor, filter_condition=condition)


# --- read -----------------------------------------------------------------------------------------


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


def _documents(issue_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The plan document and the summaries of every document of the issue."""
    return issue_documents.plan_and_summaries_json(issue_id)


def detail(principal: Principal, ref: str) -> dict[str, Any]:
    issue = issue_lookup.get(principal, ref)
    chain = ancestors_of(issue)
    keys = []
    for item in [issue, *chain]:
        if item.project_id and is_uuid(item.project_id):
            keys.append((Project, item.project_id))
        if item.goal_id and is_uuid(item.goal_id):
            keys.append((Goal, item.goal_id))
    found = get_many(keys)

    def project_json(item: Issue) -> dict[str, Any] | None:
        project = found.get((Project, item.project_id)) if item.project_id else None
        return planning.project_to_json(project) if project else None

    def goal_json(item: Issue) -> dict[str, Any] | None:
        goal = found.get((Goal, item.goal_id)) if item.goal_id else None
        return planning.goal_to_json(goal) if goal else None

    plan, summaries = _documents(issue.id)
    body = to_json(issue)
    body.update({
        "project": project_json(issue),
        "goal": goal_json(issue),
        "ancestors": [{**to_json(a), "project": project_json(a), "goal": goal_json(a)} for a in chain],
        "planDocument": plan,
        "documentSummaries": summaries,
        "legacyPlanDocument": legacy_plan_document(issue.description, plan is not None),
    })
    return body


# --- JSON -----------------------------------------------------------------------------------------


def to_json(issue: Issue) -> dict[str, Any]:
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
    }

