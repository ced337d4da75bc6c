"""Schemas for agents, their API keys and heartbeat runs."""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, not_null, text

AgentStatus = Literal["idle", "running", "paused", "error", "pending_approval", "terminated"]


RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]


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
