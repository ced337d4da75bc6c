"""Projects and goals."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import NotFound, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.org import companies
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.store.pages import Page, query_page
from chalicelib.store.planning import Goal, Project
from chalicelib.store.transactions import Transaction


def _find(model: Any, entity_id: str, label: str) -> Any:
    if not is_uuid(entity_id):
        raise NotFound(f"{label} not found")
    try:
        return model.get(entity_id)
    except model.DoesNotExist:
        raise NotFound(f"{label} not found")


def find_project(project_id: str) -> Project:
    return _find(Project, project_id, "Project")


def find_goal(goal_id: str) -> Goal:
    return _find(Goal, goal_id, "Goal")


def get_project(principal: Principal, project_id: str, action: str = "planning.read") -> Project:
    project = find_project(project_id)
    authorize(principal, action, project.company_id, what="Project")
    return project


def get_goal(principal: Principal, goal_id: str, action: str = "planning.read") -> Goal:
    goal = find_goal(goal_id)
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


def create_project(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> Project:
    authorize(principal, "planning.write", company_id, by_id=False)
    companies.find(company_id)
    if data.get("goalIds"):
        _check_goals(principal, data["goalIds"], company_id)
    stamp = iso(now)
    project = Project(
        id=new_id(),
        company_id=company_id,
        name=data["name"],
        description=data.get("description"),
        status=data.get("status") or "planned",
        goal_ids=list(dict.fromkeys(data.get("goalIds") or [])),
        paused_at=None,
        created_at=stamp,
        updated_at=stamp,
    )
    tx = Transaction()
    tx.save(project, condition=Project.id.does_not_exist())
    tx.save(activity.entry(principal, company_id, "project.created", "project", project.id, now, {"name": project.name}))
    tx.commit()
    return project


def update_project(principal: Principal, project_id: str, data: dict[str, Any], now: datetime) -> Project:
    project = get_project(principal, project_id, "planning.write")
    if data.get("goalIds"):
        _check_goals(principal, data["goalIds"], project.company_id)
    stamp = iso(now)
    changes: dict[str, Any] = {}
    for key, attr in (("name", "name"), ("description", "description"), ("status", "status"), ("goalIds", "goal_ids")):
        if key in data:
            changes[attr] = list(dict.fromkeys(data[key] or [])) if attr == "goal_ids" else data[key]
    if "paused" in data:
        changes["paused_at"] = (project.paused_at or stamp) if data["paused"] else None
    changes["updated_at"] = stamp
    actions = [getattr(Project, a).set(v) if v is not None else getattr(Project, a).remove() for a, v in changes.items()]
    tx = Transaction()
    tx.update(project, actions=actions, condition=Project.id.exists())
    tx.save(activity.entry(principal, project.company_id, "project.updated", "project", project.id, now, {"fields": sorted(data)}))
    tx.commit()
    for attr, value in changes.items():
        setattr(project, attr, value)
    return project


def list_projects(principal: Principal, company_id: str, limit: int, cursor: str | None) -> Page:
    authorize(principal, "planning.read", company_id, by_id=False)
    return query_page(Project.by_company, company_id, limit=limit, cursor=cursor)


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
        level=data.get("level") or "company",
        parent_id=data.get("parentId"),
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
    for key, attr in (("title", "title"), ("description", "description"), ("status", "status"), ("level", "level"), ("parentId", "parent_id")):
        if key in data:
            changes[attr] = data[key]
    changes["updated_at"] = iso(now)
    actions = [getattr(Goal, a).set(v) if v is not None else getattr(Goal, a).remove() for a, v in changes.items()]
    tx = Transaction()
    tx.update(goal, actions=actions, condition=Goal.id.exists())
    tx.save(activity.entry(principal, goal.company_id, "goal.updated", "goal", goal.id, now, {"fields": sorted(data)}))
    tx.commit()
    for attr, value in changes.items():
        setattr(goal, attr, value)
    return goal


def list_goals(principal: Principal, company_id: str, limit: int, cursor: str | None) -> Page:
    authorize(principal, "planning.read", company_id, by_id=False)
    return query_page(Goal.by_company, company_id, limit=limit, cursor=cursor)


def project_to_json(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "companyId": project.company_id,
        "name": project.name,
        "description": project.description,
        "status": project.status,
        "goalIds": list(project.goal_ids or []),
        "pausedAt": project.paused_at,
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
        "createdAt": goal.created_at,
        "updatedAt": goal.updated_at,
    }
