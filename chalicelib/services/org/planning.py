"""Projects and goals: upstream's fields (validators.md §3-4), url keys and their lookup (§9.5)."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import BadRequest, Conflict, NotFound, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.org import companies
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.store.pages import Page, query_page
from chalicelib.store.planning import Goal, Project, company_url_key
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey

PROJECT_IDEMPOTENCY_TTL = timedelta(hours=24)  # upstream keeps project idempotency keys for a retention window
_URL_KEY_DELIMITERS = re.compile(r"[^a-z0-9]+")
_UUID_LIKE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)

# Request field -> Project attribute for the fields stored as given.
PROJECT_STORED = {
    "leadAgentId": "lead_agent_id", "targetDate": "target_date", "color": "color", "icon": "icon", "env": "env",
    "executionWorkspacePolicy": "execution_workspace_policy", "archivedAt": "archived_at",
    "workspace": "workspace", "repositoryIds": "repository_ids", "repositoryUrls": "repository_urls",
}


def normalize_url_key(value: str) -> str | None:
    """Upstream `normalizeProjectUrlKey`: lower-case, every run of non [a-z0-9] becomes "-", trimmed."""
    key = _URL_KEY_DELIMITERS.sub("-", value.strip().lower()).strip("-")
    return key or None


def derive_url_key(name: str, project_id: str) -> str:
    """Upstream `deriveProjectUrlKey`: the normalized name; a name with non-ASCII characters gets the
    id's first 8 hex digits appended (`name-1a2b3c4d`), and a name with nothing left is those digits."""
    base = normalize_url_key(name)
    short_id = project_id.replace("-", "")[:8].lower() if _UUID_LIKE.match(project_id) else None
    if base and name.isascii():
        return base
    if base and short_id:
        return f"{base}-{short_id}"
    return short_id or base or "project"


def _find(model: Any, entity_id: str, label: str) -> Any:
    if not is_uuid(entity_id):
        raise NotFound(f"{label} not found")
    try:
        return model.get(entity_id)
    except model.DoesNotExist:
        raise NotFound(f"{label} not found")


def find_project(project_id: str, include_deleting: bool = False) -> Project:
    project = _find(Project, project_id, "Project")
    if project.deleting_at and not include_deleting:
        raise NotFound("Project not found")
    return project


def find_goal(goal_id: str, include_deleting: bool = False) -> Goal:
    goal = _find(Goal, goal_id, "Goal")
    if goal.deleting_at and not include_deleting:
        raise NotFound("Goal not found")
    return goal


def resolve_project(principal: Principal, reference: str, company_id: str | None, action: str = "planning.read") -> Project:
    """`/projects/{idOrUrlKey}` (upstream §9.5): an id is read directly; anything else is a url key in
    `?companyId=` (the caller must be able to act there: 403 otherwise) or, for agents, their company.
    No company, no match: 404; two projects with that key: 409 (use the id)."""
    if is_uuid(reference):
        return get_project(principal, reference, action)
    company = company_id or (principal.company_id if principal.is_agent else None)
    key = normalize_url_key(reference)
    if not company or not key:
        raise NotFound("Project not found")
    authorize(principal, action, company, by_id=False)
    matches = [p for p in Project.by_url_key.query(company_url_key(company, key), limit=2)
               if action == "planning.delete" or not p.deleting_at]
    if len(matches) > 1:
        raise Conflict("Project shortname is ambiguous in this company. Use the project ID.", {"urlKey": key})
    if not matches:
        raise NotFound("Project not found")
    return matches[0]


def get_project(principal: Principal, project_id: str, action: str = "planning.read") -> Project:
    # A DELETE may resume one it marked (planning_deletion.py); everything else sees it gone.
    project = find_project(project_id, include_deleting=action == "planning.delete")
    authorize(principal, action, project.company_id, what="Project")
    return project


def get_goal(principal: Principal, goal_id: str, action: str = "planning.read") -> Goal:
    goal = find_goal(goal_id, include_deleting=action == "planning.delete")
    authorize(principal, action, goal.company_id, what="Goal")
    return goal


def _check_goals(principal: Principal, goal_ids: list[str], company_id: str) -> None:
    ids = list(dict.fromkeys(goal_ids))
    bad = [g for g in ids if not is_uuid(g)]
    if bad:
        raise NotFound("Goal not found", {"goalIds": bad})
    found = {g.id: g for g in Goal.batch_get(ids)} if ids else {}
    missing = [g for g in ids if g not in found]
    if missing:
        raise NotFound("Goal not found", {"goalIds": missing})
    for g in ids:
        require_same_company(principal, found[g].company_id, company_id, "goalIds", g, "Goal")


def _check_parent_goal(principal: Principal, parent_id: str, company_id: str, goal_id: str) -> None:
    if parent_id == goal_id:
        raise Unprocessable("A goal cannot be its own parent", {"parentId": parent_id})
    parent = find_goal(parent_id)
    require_same_company(principal, parent.company_id, company_id, "parentId", parent_id, "Goal")
    seen = {goal_id}
    while parent.parent_id:  # walk up: a cycle through this goal is refused
        if parent.parent_id in seen:
            raise Unprocessable("Goal parent cycle", {"parentId": parent_id})
        seen.add(parent.id)
        parent = find_goal(parent.parent_id)


def _goal_ids(data: dict[str, Any]) -> list[str] | None:
    """`goalIds`, or upstream's deprecated `goalId` as a one-goal list (null: none); None if neither."""
    if "goalIds" in data:
        return list(dict.fromkeys(data["goalIds"] or []))
    if "goalId" in data:
        return [data["goalId"]] if data["goalId"] else []
    return None


def create_project(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> tuple[Project, bool]:
    """(project, created). With `idempotencyKey` a repeat of the same body returns the first project
    (created False: 200); the same key with another body is 409 (upstream §3)."""
    authorize(principal, "planning.write", company_id, by_id=False)
    companies.find(company_id)
    goal_ids = _goal_ids(data) or []
    if goal_ids:
        _check_goals(principal, goal_ids, company_id)
    stamp = iso(now)
    project_id = new_id()
    url_key = derive_url_key(data["name"], project_id)
    project = Project(
        id=project_id,
        company_id=company_id,
        name=data["name"],
        url_key=url_key,
        company_url_key=company_url_key(company_id, url_key),
        description=data.get("description"),
        status=data.get("status") or "backlog",
        goal_ids=goal_ids,
        paused_at=None,
        created_at=stamp,
        updated_at=stamp,
        **{attr: data[key] for key, attr in PROJECT_STORED.items() if data.get(key) is not None},
    )
    tx = Transaction()
    tx.save(project, condition=Project.id.does_not_exist())
    idem = data.get("idempotencyKey")
    fingerprint = hashlib.sha256(json.dumps({k: v for k, v in data.items() if k != "idempotencyKey"},
                                            sort_keys=True).encode()).hexdigest()
    if idem:
        tx.save(UniqueKey(key=_idempotency_key(company_id, idem), ref=project_id, data=fingerprint,
                          expires_at=now + PROJECT_IDEMPOTENCY_TTL),
                condition=UniqueKey.key.does_not_exist(), tag="idempotency")
    tx.save(activity.entry(principal, company_id, "project.created", "project", project.id, now, {"name": project.name}))
    try:
        tx.commit()
    except TransactionConflict as conflict:
        if "idempotency" not in conflict.tags:
            raise
        return _replay(company_id, idem, fingerprint), False
    return project, True


def _idempotency_key(company_id: str, key: str) -> str:
    return f"project-idempotency#{company_id}#{key}"


def _replay(company_id: str, key: str, fingerprint: str) -> Project:
    try:
        earlier = UniqueKey.get(_idempotency_key(company_id, key), consistent_read=True)
    except UniqueKey.DoesNotExist:  # expired between the two requests: say so rather than guess
        raise Conflict("Idempotency key expired meanwhile; retry", {"idempotencyKey": key})
    if earlier.data != fingerprint:
        raise Conflict("idempotencyKey was already used with a different request", {"idempotencyKey": key})
    return find_project(earlier.ref)


def update_project(principal: Principal, project: Project, data: dict[str, Any], now: datetime) -> Project:
    """Writes only the attributes the body names (null removes), conditioned on the project still
    being there and not being deleted; a new name moves the url key with it."""
    goal_ids = _goal_ids(data)
    if goal_ids:
        _check_goals(principal, goal_ids, project.company_id)
    stamp = iso(now)
    changes: dict[str, Any] = {}
    for key, attr in (("name", "name"), ("description", "description"), ("status", "status"), *PROJECT_STORED.items()):
        if key in data:
            changes[attr] = data[key]
    if goal_ids is not None:
        changes["goal_ids"] = goal_ids
    if "name" in data:
        changes["url_key"] = derive_url_key(data["name"], project.id)
        changes["company_url_key"] = company_url_key(project.company_id, changes["url_key"])
    if "paused" in data:
        changes["paused_at"] = (project.paused_at or stamp) if data["paused"] else None
    changes["updated_at"] = stamp
    actions = [getattr(Project, a).set(v) if v is not None else getattr(Project, a).remove() for a, v in changes.items()]
    tx = Transaction()
    tx.update(project, actions=actions, condition=Project.id.exists() & Project.deleting_at.does_not_exist())
    tx.save(activity.entry(principal, project.company_id, "project.updated", "project", project.id, now, {"fields": sorted(data)}))
    try:
        tx.commit()
    except TransactionConflict:
        raise NotFound("Project not found")  # deleted meanwhile
    for attr, value in changes.items():
        setattr(project, attr, value)
    return project


def flag(query: dict[str, str], name: str) -> bool:
    """A true/false query flag (absent: false); anything else is a 400 naming it."""
    value = query.get(name)
    if value in (None, "", "false"):
        return False
    if value == "true":
        return True
    raise BadRequest(f"{name} must be true or false", {name: value})


def list_projects(principal: Principal, company_id: str, include_archived: bool, limit: int, cursor: str | None) -> Page:
    """Archived projects (`archivedAt` set) are left out unless include_archived, as upstream does."""
    authorize(principal, "planning.read", company_id, by_id=False)
    condition = Project.deleting_at.does_not_exist()
    if not include_archived:
        condition = condition & Project.archived_at.does_not_exist()
    page = query_page(Project.by_company, company_id, limit=limit, cursor=cursor, filter_condition=condition)
    return companies.require_listable(page, company_id, cursor)


def create_goal(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> Goal:
    authorize(principal, "planning.write", company_id, by_id=False)
    companies.find(company_id)
    goal_id = new_id()
    if data.get("parentId"):
        _check_parent_goal(principal, data["parentId"], company_id, goal_id)
    stamp = iso(now)
    goal = Goal(
        id=goal_id,
        company_id=company_id,
        title=data["title"],
        description=data.get("description"),
        status=data.get("status") or "planned",
        level=data.get("level") or "task",  # upstream's default (the CLI sends it too)
        parent_id=data.get("parentId"),
        owner_agent_id=data.get("ownerAgentId"),
        created_at=stamp,
        updated_at=stamp,
    )
    tx = Transaction()
    tx.save(goal, condition=Goal.id.does_not_exist())
    tx.save(activity.entry(principal, company_id, "goal.created", "goal", goal.id, now, {"title": goal.title}))
    tx.commit()
    return goal


def update_goal(principal: Principal, goal_id: str, data: dict[str, Any], now: datetime) -> Goal:
    goal = get_goal(principal, goal_id, "planning.write")
    if data.get("parentId"):
        _check_parent_goal(principal, data["parentId"], goal.company_id, goal.id)
    changes: dict[str, Any] = {}
    for key, attr in (("title", "title"), ("description", "description"), ("status", "status"), ("level", "level"),
                      ("parentId", "parent_id"), ("ownerAgentId", "owner_agent_id")):
        if key in data:
            changes[attr] = data[key]
    changes["updated_at"] = iso(now)
    actions = [getattr(Goal, a).set(v) if v is not None else getattr(Goal, a).remove() for a, v in changes.items()]
    tx = Transaction()
    tx.update(goal, actions=actions, condition=Goal.id.exists() & Goal.deleting_at.does_not_exist())
    tx.save(activity.entry(principal, goal.company_id, "goal.updated", "goal", goal.id, now, {"fields": sorted(data)}))
    try:
        tx.commit()
    except TransactionConflict:
        raise NotFound("Goal not found")  # deleted meanwhile
    for attr, value in changes.items():
        setattr(goal, attr, value)
    return goal


def list_goals(principal: Principal, company_id: str, limit: int, cursor: str | None) -> Page:
    authorize(principal, "planning.read", company_id, by_id=False)
    page = query_page(Goal.by_company, company_id, limit=limit, cursor=cursor, filter_condition=Goal.deleting_at.does_not_exist())
    return companies.require_listable(page, company_id, cursor)


def project_to_json(project: Project) -> dict[str, Any]:
    """Upstream's Project shape (validators.md §3) for the fields we have; `goalId` is the first goal."""
    goal_ids = list(project.goal_ids or [])
    return {
        "id": project.id,
        "companyId": project.company_id,
        "urlKey": project.url_key or derive_url_key(project.name, project.id),
        "name": project.name,
        "description": project.description,
        "status": project.status,
        "goalId": goal_ids[0] if goal_ids else None,
        "goalIds": goal_ids,
        "leadAgentId": project.lead_agent_id,
        "targetDate": project.target_date,
        "color": project.color,
        "icon": project.icon,
        "env": project.env,
        "executionWorkspacePolicy": project.execution_workspace_policy,
        "archivedAt": project.archived_at,
        "pauseReason": "manual" if project.paused_at else None,
        "pausedAt": project.paused_at,
        **({"workspace": project.workspace} if project.workspace is not None else {}),
        **({"repositoryIds": project.repository_ids} if project.repository_ids is not None else {}),
        **({"repositoryUrls": project.repository_urls} if project.repository_urls is not None else {}),
        "createdAt": project.created_at,
        "updatedAt": project.updated_at,
    }


def goal_to_json(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.id,
        "companyId": goal.company_id,
        "title": goal.title,
        "description": goal.description,
        "status": goal.status,
        "level": goal.level,
        "parentId": goal.parent_id,
        "ownerAgentId": goal.owner_agent_id,
        "createdAt": goal.created_at,
        "updatedAt": goal.updated_at,
    }
