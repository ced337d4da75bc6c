"""Schemas for companies, projects, goals, activity and health."""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, not_null, text

CompanyStatus = Literal["active", "paused", "archived"]


ProjectStatus = Literal["backlog", "planned", "in_progress", "completed", "cancelled"]


GoalStatus = Literal["planned", "active", "achieved", "cancelled"]


GoalLevel = Literal["company", "team", "agent"]


class CompanyCreate(RequestBody):
    name: text(1, 200, strip=True)
    description: Optional[text(0, 10_000)] = None
    status: Optional[CompanyStatus] = None


class CompanyUpdate(RequestBody):
    name: text(1, 200, strip=True) = not_null()
    description: Optional[text(0, 10_000)] = None
    status: CompanyStatus = not_null()


class CompanyOut(ResponseBody):
    id: str
    name: str
    description: Optional[str]
    status: CompanyStatus
    issue_prefix: str
    created_at: Timestamp
    updated_at: Timestamp


class ProjectCreate(RequestBody):
    name: text(1, 200, strip=True)
    description: Optional[text(0, 10_000)] = None
    status: Optional[ProjectStatus] = None
    goal_ids: Optional[list[Id]] = Field(None, max_length=100)


class ProjectUpdate(RequestBody):
    name: text(1, 200, strip=True) = not_null()
    description: Optional[text(0, 10_000)] = None
    status: ProjectStatus = not_null()
    goal_ids: Optional[list[Id]] = Field(None, max_length=100)
    paused: Optional[bool] = Field(None, description="true sets pausedAt, false clears it")


class ProjectOut(ResponseBody):
    id: str
    company_id: str
    name: str
    description: Optional[str]
    status: str
    goal_ids: list[str]
    paused_at: Optional[Timestamp]
    created_at: Timestamp
    updated_at: Timestamp


class GoalCreate(RequestBody):
    title: text(1, 200, strip=True)
    description: Optional[text(0, 10_000)] = None
    status: Optional[GoalStatus] = None
    level: Optional[GoalLevel] = None
    parent_id: Optional[Id] = None


class GoalUpdate(RequestBody):
    title: text(1, 200, strip=True) = not_null()
    description: Optional[text(0, 10_000)] = None
    status: GoalStatus = not_null()
    level: GoalLevel = not_null()
    parent_id: Optional[Id] = None


class GoalOut(ResponseBody):
    id: str
    company_id: str
    title: str
    description: Optional[str]
    status: GoalStatus
    level: GoalLevel
    parent_id: Optional[str]
    created_at: Timestamp
    updated_at: Timestamp


class ActivityOut(ResponseBody):
    id: str
    company_id: str
    actor_type: Literal["board", "agent", "system"]
    actor_id: str
    run_id: Optional[str]
    action: str
    entity_type: str
    entity_id: str
    details: Optional[dict[str, Any]]
    created_at: Timestamp


class HealthOut(ResponseBody):
    status: Literal["ok", "unhealthy"]
    version: Optional[str] = None
    auth_mode: Optional[str] = None
    error: Optional[str] = None
