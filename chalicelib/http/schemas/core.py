"""Schemas for companies, agents, keys, projects, goals, heartbeat runs, activity and health."""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, not_null, text

CompanyStatus = Literal["active", "paused", "archived"]
AgentStatus = Literal["idle", "running", "paused", "error", "pending_approval", "terminated"]
ProjectStatus = Literal["backlog", "planned", "in_progress", "completed", "cancelled"]
GoalStatus = Literal["planned", "active", "achieved", "cancelled"]
GoalLevel = Literal["company", "team", "agent"]
RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]


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


class AgentCreate(RequestBody):
    name: text(1, 100, strip=True)
    role: Optional[text(1, 100)] = None
    title: Optional[text(0, 200)] = None
    reports_to: Optional[Id] = None
    capabilities: Optional[text(0, 10_000)] = None
    status: Optional[Literal["idle", "pending_approval"]] = Field(
        None, description="New agents start idle; pending_approval ones cannot authenticate until resumed."
    )


class AgentUpdate(RequestBody):
    name: text(1, 100, strip=True) = not_null()
    role: text(1, 100) = not_null()
    title: Optional[text(0, 200)] = None
    reports_to: Optional[Id] = None
    capabilities: Optional[text(0, 10_000)] = None


class AgentOut(ResponseBody):
    id: str
    company_id: str
    name: str
    role: str
    title: Optional[str]
    reports_to: Optional[str]
    capabilities: Optional[str]
    status: AgentStatus
    created_at: Timestamp
    updated_at: Timestamp


class AgentKeyCreate(RequestBody):
    name: Optional[text(0, 100)] = None


class AgentKeyCreated(ResponseBody):
    id: str
    name: Optional[str]
    token: str
    created_at: Timestamp


class AgentKeyOut(ResponseBody):
    id: str
    name: Optional[str]
    created_at: Timestamp
    last_used_at: Optional[Timestamp]
    revoked_at: Optional[Timestamp]


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


class Wakeup(ResponseBody):
    reason: str
    at: Timestamp
    issue_id: Optional[str] = None
    routine_run_id: Optional[str] = None
    comment_id: Optional[str] = None


class HeartbeatRunOut(ResponseBody):
    id: str
    company_id: str
    agent_id: str
    status: RunStatus
    wakeups: list[Wakeup]
    created_at: Timestamp
    started_at: Optional[Timestamp]
    finished_at: Optional[Timestamp]
    expires_at: Optional[Timestamp]
    error: Optional[str]


class RunWithToken(ResponseBody):
    run: HeartbeatRunOut
    token: str


class RunFinish(RequestBody):
    status: Literal["succeeded", "failed", "cancelled", "timed_out"]
    error: Optional[text(0, 10_000)] = None


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
