"""Schemas for agents, their API keys and heartbeat runs.

Request bodies carry every field upstream's validators define for these routes (validators.md §2.2-§2.5,
`@paperclipai/shared` `validators/agent.js`); what each does here is in services/runtime/agent_fields.py
and docs/compatibility.md ("Agents and keys", "Heartbeat runs").
"""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field, RootModel, field_validator

from chalicelib.http.schemas.agent_config import (
    AdapterConfig, DesiredSkills, GuidText, InstructionsBundle, KeyScope, Metadata, Permissions, ProviderTraceDebug,
    RuntimeConfig, WakeupPayload,
)
from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, _no_default, not_null, text

AgentStatus = Literal["idle", "running", "paused", "error", "pending_approval", "terminated"]
# upstream AGENT_STATUSES: what PATCH accepts ("active" is upstream's older name for idle)
AgentStatusUpdate = Literal["active", "paused", "idle", "running", "error", "pending_approval", "terminated"]
# upstream AGENT_ICON_NAMES (`@paperclipai/shared` constants.js)
AgentIcon = Literal[
    "bot", "cpu", "brain", "zap", "rocket", "code", "terminal", "shield", "eye", "search", "wrench", "hammer",
    "lightbulb", "sparkles", "star", "heart", "flame", "bug", "cog", "database", "globe", "lock", "mail",
    "message-square", "file-code", "git-branch", "package", "puzzle", "target", "wand", "atom", "circuit-board",
    "radar", "swords", "telescope", "microscope", "crown", "gem", "hexagon", "pentagon", "fingerprint",
]
MAX_CENTS = 9_007_199_254_740_991  # upstream int() cents; the largest integer JavaScript represents exactly


def cents(nullable_default: bool = True) -> Any:
    """A non-negative integer of cents (upstream `z.number().int().nonnegative()`)."""
    return Field(None, ge=0, le=MAX_CENTS, json_schema_extra=None if nullable_default else _no_default)


RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]
WakeSource = Literal["timer", "assignment", "on_demand", "automation"]
TriggerDetail = Literal["manual", "ping", "callback", "system"]


class _AgentFields(RequestBody):
    """What create and PATCH share (upstream createAgentSchema, all optional on PATCH)."""

    title: Optional[text(0, 200)] = None
    icon: Optional[AgentIcon] = None
    reports_to: Optional[Id] = None
    capabilities: Optional[text(0, 10_000)] = None
    desired_skills: Optional[DesiredSkills] = Field(None, description="skill keys or {key, versionId}; ≤ 4 KiB of JSON")
    adapter_config: Optional[AdapterConfig] = Field(
        None, description="adapter settings; env values are redacted in responses; ≤ 16 KiB of JSON")
    instructions_bundle: Optional[InstructionsBundle] = Field(None, description="{entryFile?, files}; ≤ 16 KiB of JSON")
    runtime_config: Optional[RuntimeConfig] = Field(None, description="≤ 8 KiB of JSON")
    default_environment_id: Optional[GuidText] = None
    metadata: Optional[Metadata] = Field(None, description="≤ 8 KiB of JSON")
    stored_session_id: Optional[text(1, 256)] = None
    apply_stored_claude_login: Optional[bool] = None


class AgentCreate(_AgentFields):
    name: text(1, 100, strip=True)
    role: Optional[text(1, 100)] = None
    adapter_type: Optional[text(1, 100, strip=True)] = Field(None, description='default "process"')
    budget_monthly_cents: Optional[int] = cents()
    permissions: Optional[Permissions] = Field(None, description="stored as given; grants nothing here (docs/compatibility.md)")
    onboarding_first_agent: Optional[bool] = None
    status: Optional[Literal["idle", "pending_approval"]] = Field(
        None, description="New agents start idle; pending_approval ones cannot authenticate until approved."
    )


class AgentUpdate(_AgentFields):
    name: text(1, 100, strip=True) = not_null()
    role: text(1, 100) = not_null()
    adapter_type: text(1, 100, strip=True) = not_null()
    budget_monthly_cents: int = cents(nullable_default=False)
    spent_monthly_cents: int = cents(nullable_default=False)
    status: AgentStatusUpdate = not_null("board only; moves the agent as pause, resume or terminate do")
    replace_adapter_config: Optional[bool] = Field(None, description="true: adapterConfig replaces the stored one (default: merged into it)")
    permissions: Optional[Any] = Field(None, description="never accepted here (upstream: use /api/agents/{id}/permissions)")

    @field_validator("permissions")
    @classmethod
    def _no_permissions(cls, value: Any) -> Any:
        raise ValueError("permissions cannot be changed with PATCH")


class ChainOfCommandEntry(ResponseBody):
    id: str
    name: str
    role: str
    title: Optional[str]


class AgentOut(ResponseBody):
    id: str
    company_id: str
    name: str
    url_key: str
    role: str
    title: Optional[str]
    icon: Optional[str]
    reports_to: Optional[str]
    capabilities: Optional[str]
    status: AgentStatus
    adapter_type: str
    adapter_config: dict[str, Any] = Field(description="env values redacted; {} for agents reading another agent")
    runtime_config: dict[str, Any]
    default_environment_id: Optional[str]
    budget_monthly_cents: int
    spent_monthly_cents: int = Field(description="0 unless set: this service does not track costs")
    pause_reason: Optional[str]
    paused_at: Optional[Timestamp]
    error_reason: Optional[str]
    last_heartbeat_at: Optional[Timestamp]
    permissions: dict[str, Any]
    metadata: Optional[dict[str, Any]]
    created_at: Timestamp
    updated_at: Timestamp


class AgentAccess(ResponseBody):
    can_assign_tasks: bool
    task_assign_source: str
    membership: Optional[dict]
    grants: list[Any]


class AgentDetailOut(AgentOut):
    chain_of_command: list[ChainOfCommandEntry] = Field(description="managers from the direct one upward, ≤ 50")
    access: AgentAccess


class AgentKeyCreate(RequestBody):
    name: Optional[text(0, 100)] = Field(None, description='default "default"')
    scope: Optional[KeyScope] = Field(None, description='default {"kind": "standard"}; task_bridge and skill_test are 422')


class AgentKeyCreated(ResponseBody):
    id: str
    name: Optional[str]
    scope: dict[str, Any]
    responsible_user_id: Optional[str]
    token: str
    created_at: Timestamp


class AgentKeyOut(ResponseBody):
    id: str
    name: Optional[str]
    scope: dict[str, Any]
    responsible_user_id: Optional[str]
    created_at: Timestamp
    last_used_at: Optional[Timestamp]
    revoked_at: Optional[Timestamp]


class WakeupRequest(RequestBody):
    """upstream wakeAgentSchema (validators.md §2.4)."""

    source: Optional[WakeSource] = Field(None, description='default "on_demand"')
    trigger_detail: Optional[TriggerDetail] = Field(None, description='default "manual"')
    reason: Optional[text(0, 2_000)] = None
    failed_run_id: Optional[GuidText] = Field(None, description="board only: an exact retry of a failed or timed-out run")
    payload: Optional[WakeupPayload] = Field(None, description="e.g. {issueId}; ≤ 4 KiB of JSON")
    idempotency_key: Optional[text(0, 255)] = None
    force_fresh_session: Optional[bool] = None
    debug: Optional[ProviderTraceDebug] = Field(None, description='{"providerTrace": "raw"}: instance admins only')


class InvokeRequest(RequestBody):
    """What upstream's legacy invoke reads from its body (validators.md §2.5; no validator upstream)."""

    trigger_detail: Optional[TriggerDetail] = None
    reason: Optional[text(0, 2_000)] = None
    payload: Optional[WakeupPayload] = Field(None, description="≤ 4 KiB of JSON")
    idempotency_key: Optional[text(0, 255)] = Field(None, description="recorded on the run; invoke always starts a run")
    force_fresh_session: Optional[bool] = None
    debug: Optional[ProviderTraceDebug] = Field(None, description='{"providerTrace": "raw"}: instance admins only')
    failed_run_id: Optional[Any] = Field(None, description="refused: use the wakeup endpoint")

    @field_validator("failed_run_id")
    @classmethod
    def _use_wakeup(cls, value: Any) -> Any:
        if value is not None:
            raise ValueError("Use the wakeup endpoint to retry a failed run")
        return value


class Wakeup(ResponseBody):
    reason: str
    at: Timestamp
    source: Optional[WakeSource] = None
    trigger_detail: Optional[str] = None
    issue_id: Optional[str] = None
    routine_run_id: Optional[str] = None
    comment_id: Optional[str] = None
    payload: Optional[dict[str, Any]] = None


class HeartbeatRunOut(ResponseBody):
    id: str
    company_id: str
    agent_id: str
    status: RunStatus
    invocation_source: WakeSource
    trigger_detail: Optional[str]
    context_snapshot: dict[str, Any] = Field(description="issueId, wakeReason, wakeSource, … of its wakeups")
    wakeups: list[Wakeup] = Field(description="the oldest 100 in a single run's response, the first one in list rows")
    wakeup_count: int = Field(description="all of the run's wakeups")
    retry_of_run_id: Optional[str]
    result_json: Optional[dict[str, Any]]
    log_bytes: Optional[int] = Field(description="null: this service keeps no run logs")
    created_at: Timestamp
    started_at: Optional[Timestamp]
    finished_at: Optional[Timestamp]
    expires_at: Optional[Timestamp]
    updated_at: Timestamp
    error: Optional[str]


class RunWithToken(ResponseBody):
    run: HeartbeatRunOut
    token: str


class RunFinish(RequestBody):
    status: Literal["succeeded", "failed", "cancelled", "timed_out"]
    error: Optional[text(0, 10_000)] = None


class LiveRunOut(ResponseBody):
    """A row of the live-run lists (upstream's columns we have)."""

    id: str
    company_id: str
    agent_id: str
    agent_name: Optional[str]
    adapter_type: Optional[str]
    status: RunStatus
    invocation_source: WakeSource
    trigger_detail: Optional[str]
    context_comment_id: Optional[str]
    context_wake_comment_id: Optional[str]
    issue_id: Optional[str]
    log_bytes: Optional[int]
    created_at: Timestamp
    started_at: Optional[Timestamp]
    finished_at: Optional[Timestamp]


class IssueRunOut(ResponseBody):
    """A row of GET /issues/{id}/runs: upstream names the run `runId` here, not `id`."""

    run_id: str
    status: RunStatus
    agent_id: str
    adapter_type: Optional[str]
    invocation_source: WakeSource
    trigger_detail: Optional[str]
    context_issue_id: Optional[str]
    context_comment_id: Optional[str]
    wake_comment_id: Optional[str]
    error_code: Optional[str]
    result_json: Optional[dict[str, Any]]
    retry_of_run_id: Optional[str]
    log_bytes: Optional[int]
    created_at: Timestamp
    started_at: Optional[Timestamp]
    finished_at: Optional[Timestamp]


class ActiveRunOut(LiveRunOut):
    pass


class ActiveRunOrNull(RootModel[Optional[ActiveRunOut]]):
    """GET /issues/{id}/active-run: the run, or null when none is working on the issue."""


class RunEventOut(ResponseBody):
    """A run's lifecycle as upstream's `heartbeat.run.status` events (we keep no other events)."""

    id: str
    company_id: str
    run_id: str
    agent_id: str
    seq: int
    event_type: str
    stream: Optional[str]
    level: Optional[str]
    color: Optional[str]
    message: Optional[str]
    payload: dict[str, Any]
    created_at: Timestamp


class RunIssueOut(ResponseBody):
    issue_id: str
    id: str = Field(description="the same as issueId (the CLI's `run issues` prints `id`)")
    identifier: str
    title: str
    status: str
    priority: str


class RunLogOut(ResponseBody):
    """upstream's run log; never returned here (no logs are kept: 404 "Run log not found")."""

    run_id: str
    store: Optional[str]
    log_ref: Optional[str]
    content: str
    next_offset: Optional[int]
