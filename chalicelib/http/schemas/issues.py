"""Schemas for issues, checkout and comments (SPEC §4)."""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, not_null, text
from chalicelib.http.schemas.org import GoalOut, ProjectOut

IssueStatus = Literal["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]
IssuePriority = Literal["critical", "high", "medium", "low"]
Title = text(1, 500, strip=True)
Description = text(0, 100_000)
CommentText = text(1, 65_536)
BillingCode = text(0, 200)


class IssueCreate(RequestBody):
    title: Title
    description: Optional[Description] = None
    status: Optional[IssueStatus] = Field(
        None, description="backlog (default), todo (default when an assignee is given) or blocked; others are 422"
    )
    priority: Optional[IssuePriority] = Field(None, description="default medium")
    assignee_agent_id: Optional[Id] = None
    project_id: Optional[Id] = None
    goal_id: Optional[Id] = None
    parent_id: Optional[Id] = Field(None, description="UUID or identifier of the parent issue")
    billing_code: Optional[BillingCode] = None


class IssueUpdate(RequestBody):
    title: Title = not_null()
    description: Optional[Description] = None
    status: IssueStatus = not_null("see the transition table; in_progress only through checkout")
    priority: IssuePriority = not_null()
    assignee_agent_id: Optional[Id] = Field(None, description="null unassigns")
    project_id: Optional[Id] = None
    goal_id: Optional[Id] = None
    parent_id: Optional[Id] = Field(None, description="UUID or identifier of the parent issue; null detaches")
    billing_code: Optional[BillingCode] = None
    comment: Optional[CommentText] = Field(None, description="adds a comment in the same transaction")


class CheckoutRequest(RequestBody):
    agent_id: Id
    expected_statuses: list[IssueStatus] = Field(
        ..., min_length=1, max_length=7,
        description="the statuses the caller expects the issue to be in; include in_progress to adopt a stale lock",
    )


class CommentCreate(RequestBody):
    body: CommentText


class IssueOut(ResponseBody):
    id: str
    company_id: str
    identifier: str
    title: str
    description: Optional[str]
    status: IssueStatus
    priority: IssuePriority
    assignee_agent_id: Optional[str]
    checkout_run_id: Optional[str]
    project_id: Optional[str]
    goal_id: Optional[str]
    parent_id: Optional[str]
    billing_code: Optional[str]
    origin_kind: Optional[str]
    origin_id: Optional[str]
    origin_run_id: Optional[str]
    started_at: Optional[Timestamp]
    completed_at: Optional[Timestamp]
    cancelled_at: Optional[Timestamp]
    created_at: Timestamp
    updated_at: Timestamp


class IssueAncestorOut(IssueOut):
    project: Optional[ProjectOut]
    goal: Optional[GoalOut]


class LegacyPlanDocument(ResponseBody):
    key: Literal["plan"]
    body: str
    source: Literal["issue_description"]


class IssueDetailOut(IssueOut):
    project: Optional[ProjectOut]
    goal: Optional[GoalOut]
    ancestors: list[IssueAncestorOut] = Field(description="the parent chain, nearest first")
    plan_document: Optional[dict[str, Any]] = Field(description="the full `plan` document, or null")
    document_summaries: list[dict[str, Any]] = Field(description="every document of the issue, without its body")
    legacy_plan_document: Optional[LegacyPlanDocument]


class CommentOut(ResponseBody):
    id: str
    issue_id: str
    company_id: str
    author_type: Literal["agent", "board"]
    author_agent_id: Optional[str]
    author_user_id: Optional[str]
    body: str
    created_at: Timestamp
