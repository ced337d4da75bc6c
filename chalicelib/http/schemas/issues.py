"""Schemas for issues, checkout and comments (SPEC §4; upstream's fields: validators.md §5).

Every field upstream's `createIssueSchema` / `updateIssueSchema` / `addIssueCommentSchema` defines is
accepted (docs/compatibility.md, "Issues" and "Comments", says what each one does here); anything else
is a 400 naming it. Our own limits stay where they are stricter than upstream's (title ≤ 500,
description ≤ 100,000, comment ≤ 65,536 characters; at most 20 blockers per issue).
"""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field, model_validator

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, not_null, text
from chalicelib.http.schemas.issue_fields import (
    AssigneeAdapterOverrides, AttachmentIds, absent_or, CommentMetadata, CommentPresentation, DateTime, ExecutionPolicy,
    ExecutionWorkspaceSettings, Guid, HarnessKind, ReviewPolicy, ReviewRequest, UnblockDescriptor, Uuid, Watchdog,
    WatchdogDiscovery, WorkMode, WorkspacePreference,
)
from chalicelib.http.schemas.org import GoalOut, ProjectOut

IssueStatus = Literal["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]
IssuePriority = Literal["critical", "high", "medium", "low"]
Title = text(1, 500, strip=True)
Description = text(0, 100_000)
CommentText = text(1, 65_536)
BillingCode = text(0, 200)
MAX_BLOCKERS = 20  # per issue: one PATCH replaces the set in one transaction (DynamoDB: 100 items)
BlockerIds = list[Id]
RequestDepth = int  # ≥ 0; values above 1024 are clamped to 1024, as upstream does


class _IssueFields(RequestBody):
    """The fields create and PATCH share (upstream's createIssueBaseSchema)."""

    description: Optional[Description] = None
    priority: IssuePriority = not_null("default medium")
    work_mode: WorkMode = not_null("standard (default), ask, planning or skill_test; stored and returned")
    request_depth: RequestDepth = absent_or("≥ 0 (default 0); above 1024 is stored as 1024", ge=0)
    project_id: Optional[Id] = None
    project_workspace_id: Optional[Guid] = None
    goal_id: Optional[Id] = None
    blocked_by_issue_ids: BlockerIds = absent_or(
        "replaces the issue's blockers (UUIDs or identifiers of the same company); [] clears them",
        max_length=MAX_BLOCKERS)
    unblock_descriptor: Optional[UnblockDescriptor] = Field(None, description="only with status blocked")
    inherit_execution_workspace_from_issue_id: Optional[Guid] = None
    harness_kind: Optional[HarnessKind] = None
    review_policy: Optional[ReviewPolicy] = None
    assignee_agent_id: Optional[Id] = Field(None, description="null unassigns")
    assignee_user_id: Optional[text(0, 200)] = None
    billing_code: Optional[BillingCode] = None
    assignee_adapter_overrides: Optional[AssigneeAdapterOverrides] = None
    execution_policy: Optional[ExecutionPolicy] = None
    execution_workspace_id: Optional[Guid] = None
    execution_workspace_preference: Optional[WorkspacePreference] = None
    execution_workspace_settings: Optional[ExecutionWorkspaceSettings] = None
    label_ids: list[Guid] = absent_or("stored and returned; the list's labelId filter matches them", max_length=100)
    watchdog_discovery: Optional[WatchdogDiscovery] = None

    @model_validator(mode="after")
    def _no_descriptor_unless_blocked(self) -> Any:
        """Upstream's requireBlockedStatusForUnblockDescriptor."""
        status = getattr(self, "status", None)
        if self.unblock_descriptor is not None and status is not None and status != "blocked":
            raise ValueError("unblockDescriptor requires blocked status")
        return self


class IssueCreate(_IssueFields):
    title: Title
    status: Optional[IssueStatus] = Field(
        None, description="backlog (default), todo (default when an assignee is given) or blocked; others are 422"
    )
    parent_id: Optional[Id] = Field(None, description="UUID or identifier of the parent issue")
    parent_issue_id: Optional[Id] = Field(None, description="paperclip-mcp's name for parentId (same meaning)")
    created_by_user_id: Optional[text(0, 200)] = None
    responsible_user_id: Optional[text(0, 200)] = None
    watchdog: Optional[Watchdog] = None
    initial_plan: Optional[text(1, 200_000)] = Field(None, description="becomes the issue's `plan` document")
    idempotency_key: Optional[text(1, 255, strip=True)] = Field(
        None, description="a repeat returns the issue it created (200, deduplicated: true)")
    allow_duplicate: bool = not_null(
        "false: an open issue with the same title and parent created in the last 48 h is returned instead "
        "(200, deduplicated: true); omitted or true: always creates")
    onboarding_first_task: bool = not_null("stored and returned")

    @model_validator(mode="after")
    def _one_parent(self) -> "IssueCreate":
        if self.parent_id is not None and self.parent_issue_id is not None and self.parent_id != self.parent_issue_id:
            raise ValueError("parentId and parentIssueId name different issues")
        return self


class IssueUpdate(_IssueFields):
    title: Title = not_null()
    status: IssueStatus = not_null("see the transition table; in_progress only through checkout")
    parent_id: Optional[Id] = Field(None, description="UUID or identifier of the parent issue; null detaches")
    comment: Optional[CommentText] = Field(None, description="adds a comment in the same transaction")
    comment_client_request_id: Uuid = not_null("the comment's clientRequestId")
    attachment_ids: AttachmentIds = absent_or("files of this issue to attach to `comment` (needs a comment)")
    on_behalf_of_user_id: Optional[text(1, 200, strip=True)] = Field(None, description="board only")
    review_interaction_id: Guid = not_null("stored and returned")
    review_request: Optional[ReviewRequest] = None
    reopen: bool = not_null("with a comment: reopens a closed issue (see comments)")
    resume: bool = not_null("with a comment: follow-up intent (see comments)")
    interrupt: bool = not_null("board, with a comment: cancels the run holding the issue first")
    defer_wake_for_goal: bool = not_null("true: an assignment does not wake the new assignee")
    hidden_at: Optional[DateTime] = Field(None, description="set: the issue leaves lists; null shows it again")


class ChildIssueCreate(_IssueFields):
    """POST /api/issues/{issueId}/children: create's fields without parentId (the path names it)."""

    title: Title
    status: Optional[IssueStatus] = Field(None, description="as on create")
    created_by_user_id: Optional[text(0, 200)] = None
    responsible_user_id: Optional[text(0, 200)] = None
    watchdog: Optional[Watchdog] = None
    initial_plan: Optional[text(1, 200_000)] = None
    idempotency_key: Optional[text(1, 255, strip=True)] = None
    allow_duplicate: bool = not_null("as on create")
    onboarding_first_task: bool = not_null("stored and returned")
    acceptance_criteria: list[text(1, 500, strip=True)] = absent_or(
        "appended to the description as a bullet list", max_length=20)
    block_parent_until_done: bool = not_null("true: the child joins the parent's blockers")


class CheckoutRequest(RequestBody):
    agent_id: Id
    expected_statuses: list[IssueStatus] = Field(
        ..., min_length=1, max_length=7,
        description="statuses the caller expects; the agent's own in_progress issue is adopted whatever this says",
    )


class CommentCreate(RequestBody):
    body: CommentText
    client_request_id: Uuid = not_null("a repeat by the same author returns the first comment")
    attachment_ids: AttachmentIds = absent_or("files of this issue to attach to the comment")
    on_behalf_of_user_id: Optional[text(1, 200, strip=True)] = Field(None, description="board only")
    author_type: Literal["user", "agent", "system"] = not_null("board: user or system; agents: agent")
    presentation: Optional[CommentPresentation] = Field(None, description="board only")
    metadata: Optional[CommentMetadata] = Field(None, description="board only")
    reopen: bool = not_null("reopens a closed (or unblocked blocked) issue to todo")
    resume: bool = not_null("follow-up intent: reopens like reopen and marks the wake as a follow-up")
    interrupt: bool = not_null("board only: cancels the run holding the issue before posting")


# --- responses --------------------------------------------------------------------------------------


class IssueOut(ResponseBody):
    id: str
    company_id: str
    identifier: str
    issue_number: Optional[int]
    title: str
    description: Optional[str]
    status: IssueStatus
    priority: IssuePriority
    work_mode: str
    request_depth: int
    assignee_agent_id: Optional[str]
    assignee_user_id: Optional[str]
    checkout_run_id: Optional[str]
    execution_run_id: Optional[str] = Field(description="the run holding the checkout (same as checkoutRunId)")
    project_id: Optional[str]
    goal_id: Optional[str]
    parent_id: Optional[str]
    billing_code: Optional[str]
    origin_kind: Optional[str]
    origin_id: Optional[str]
    origin_run_id: Optional[str]
    created_by_agent_id: Optional[str]
    created_by_user_id: Optional[str]
    responsible_user_id: Optional[str]
    blocked_by_issue_ids: list[str]
    label_ids: list[str]
    labels: list[dict[str, Any]] = Field(description="always []: labels are not served (labelIds are stored as given)")
    hidden_at: Optional[Timestamp]
    started_at: Optional[Timestamp]
    completed_at: Optional[Timestamp]
    cancelled_at: Optional[Timestamp]
    created_at: Timestamp
    updated_at: Timestamp


class CreatedIssueOut(IssueOut):
    deduplicated: Optional[bool] = Field(None, description="true (with 200) when an existing issue was returned")
    deduplication_reason: Optional[Literal["recent_open_title", "idempotency_key"]] = None


class IssueRelationSummary(ResponseBody):
    """Upstream's IssueRelationIssueSummary."""

    id: str
    identifier: str
    title: str
    status: IssueStatus
    priority: IssuePriority
    assignee_agent_id: Optional[str]
    assignee_user_id: Optional[str]


class ProjectBrief(ResponseBody):
    id: str
    name: str


class GoalBrief(ResponseBody):
    id: str
    title: str


class IssueAncestorOut(ResponseBody):
    """Upstream's ancestor shape (validators.md §11). Beyond what fits a 6 MB response, the farther
    ancestors are abridged: `abridged` true, `description` null, `project`/`goal` id and name only."""
    id: str
    identifier: str
    title: str
    description: Optional[str]
    status: str
    priority: str
    assignee_agent_id: Optional[str]
    assignee_user_id: Optional[str]
    project_id: Optional[str]
    goal_id: Optional[str]
    project: Optional[ProjectOut | ProjectBrief]
    goal: Optional[GoalOut | GoalBrief]
    abridged: Optional[bool] = Field(None, description="present (true) when the ancestor is abridged")


class LegacyPlanDocument(ResponseBody):
    key: Literal["plan"]
    body: str
    source: Literal["issue_description"]


class IssueDetailOut(IssueOut):
    project: Optional[ProjectOut]
    goal: Optional[GoalOut]
    ancestors: list[IssueAncestorOut] = Field(description="the parent chain, nearest first")
    blocked_by: list[IssueRelationSummary] = Field(description="issues blocking this one, by title")
    blocks: list[IssueRelationSummary] = Field(description="issues this one blocks, by title")
    plan_document: Optional[dict[str, Any]] = Field(description="the full `plan` document, or null")
    document_summaries: list[dict[str, Any]] = Field(description="every document of the issue, without its body")
    legacy_plan_document: Optional[LegacyPlanDocument]
    work_products: list[dict[str, Any]]


class CommentOut(ResponseBody):
    id: str
    issue_id: str
    company_id: str
    author_type: Literal["agent", "board", "user", "system"]
    author_agent_id: Optional[str]
    author_user_id: Optional[str]
    on_behalf_of_user_id: Optional[str]
    created_by_run_id: Optional[str]
    client_request_id: Optional[str]
    body: str
    presentation: Optional[dict[str, Any]]
    metadata: Optional[dict[str, Any]]
    follow_up_requested: Optional[bool]
    deleted_at: Optional[Timestamp]
    created_at: Timestamp
    updated_at: Timestamp


class PatchedIssueOut(IssueOut):
    changes: dict[str, Any] = Field(description="{field: {from, to}} for every field the call changed")
    comment: Optional[CommentOut] = Field(description="the comment the call added, or null")


class InboxRunOut(ResponseBody):
    id: str
    status: str
    agent_id: str
    invocation_source: Optional[str]
    trigger_detail: Optional[str]
    started_at: Optional[Timestamp]
    finished_at: Optional[Timestamp]
    created_at: Optional[Timestamp]


class InboxItemOut(ResponseBody):
    id: str
    identifier: str
    title: str
    status: IssueStatus
    priority: IssuePriority
    project_id: Optional[str]
    goal_id: Optional[str]
    parent_id: Optional[str]
    updated_at: Timestamp
    active_run: Optional[InboxRunOut]
    active_recovery_action: None
    dependency_ready: bool
    unresolved_blocker_count: int
    unresolved_blocker_issue_ids: list[str]
