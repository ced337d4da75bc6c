"""Request and response schemas for routines, triggers and runs (SPEC §5–6)."""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, not_null, text
from chalicelib.http.schemas.org import EnvConfig, Guid

RoutineStatus = Literal["active", "paused", "archived"]
Priority = Literal["critical", "high", "medium", "low"]
ConcurrencyPolicy = Literal["coalesce_if_active", "skip_if_active", "always_enqueue"]
CatchUpPolicy = Literal["skip_missed", "enqueue_missed_with_cap"]
SigningMode = Literal["bearer", "hmac_sha256", "github_hmac", "standard_webhooks", "none"]
TriggerKind = Literal["schedule", "webhook", "api"]
ActivityGatePolicy = Literal["always", "require_external_activity"]
ActivityGateScope = Literal["company", "project"]


class RoutineCreate(RequestBody):
    title: text(1, 200, strip=True)
    description: Optional[text(0, 10_000)] = None
    assignee_agent_id: Optional[Id] = None
    project_id: Id
    goal_id: Optional[Id] = None
    parent_issue_id: Optional[Id] = None
    priority: Optional[Priority] = None
    status: Optional[RoutineStatus] = None
    concurrency_policy: Optional[ConcurrencyPolicy] = None
    catch_up_policy: Optional[CatchUpPolicy] = None
    variables: Optional[list[Any]] = Field(None, description="[{name, label?, type, required?, defaultValue?, options?}]")
    activity_gate_policy: Optional[ActivityGatePolicy] = Field(None, description="upstream's; stored and returned as given")
    activity_gate_scope: Optional[ActivityGateScope] = Field(None, description="upstream's; stored and returned as given")
    env: Optional[EnvConfig] = Field(None, description="upstream's env bindings; stored and returned as given")
    folder_id: Optional[Guid] = Field(None, description="upstream's; stored and returned as given")


class RoutineUpdate(RequestBody):
    title: text(1, 200, strip=True) = not_null()
    description: Optional[text(0, 10_000)] = None
    assignee_agent_id: Optional[Id] = None
    project_id: Id = not_null()
    goal_id: Optional[Id] = None
    parent_issue_id: Optional[Id] = None
    priority: Priority = not_null()
    status: RoutineStatus = not_null()
    concurrency_policy: ConcurrencyPolicy = not_null()
    catch_up_policy: CatchUpPolicy = not_null()
    variables: Optional[list[Any]] = None
    activity_gate_policy: Optional[ActivityGatePolicy] = None
    activity_gate_scope: Optional[ActivityGateScope] = None
    env: Optional[EnvConfig] = None
    folder_id: Optional[Guid] = None
    base_revision_id: Optional[Guid] = Field(None, description="upstream's revision check; accepted, not applied (no routine revisions here)")


class TriggerCreate(RequestBody):
    kind: TriggerKind
    label: Optional[text(0, 120)] = None
    enabled: Optional[bool] = None
    cron_expression: Optional[text(1, 200)] = None
    timezone: Optional[text(1, 100)] = None
    signing_mode: Optional[SigningMode] = None
    replay_window_sec: Optional[int] = Field(None, ge=30, le=86_400)


class TriggerUpdate(RequestBody):
    label: Optional[text(0, 120)] = None
    enabled: bool = not_null()
    cron_expression: text(1, 200) = not_null()
    timezone: text(1, 100) = not_null()
    signing_mode: SigningMode = not_null()
    replay_window_sec: int = Field(None, ge=30, le=86_400, json_schema_extra=lambda schema: schema.pop("default", None))


class RunCreate(RequestBody):
    source: Optional[Literal["manual", "api"]] = None
    trigger_id: Optional[Id] = None
    payload: Optional[Any] = None
    variables: Optional[dict[str, Any]] = None
    project_id: Optional[Id] = None
    assignee_agent_id: Optional[Id] = None
    idempotency_key: Optional[text(1, 255)] = None
    execution_workspace_id: Optional[text(0, 200)] = None
    execution_workspace_preference: Optional[text(0, 200)] = None
    execution_workspace_settings: Optional[dict[str, Any]] = None
    project_workspace_id: Optional[Guid] = Field(None, description="upstream's; accepted, not applied (no project workspaces here)")


class TriggerSummaryOut(ResponseBody):
    id: str
    kind: TriggerKind
    label: Optional[str]
    enabled: bool
    cron_expression: Optional[str]
    timezone: Optional[str]
    next_run_at: Optional[Timestamp]
    last_fired_at: Optional[Timestamp]
    last_result: Optional[str]


class TriggerOut(TriggerSummaryOut):
    routine_id: str
    public_id: Optional[str]
    signing_mode: Optional[SigningMode]
    replay_window_sec: Optional[int]
    last_rotated_at: Optional[Timestamp]
    created_at: Timestamp
    updated_at: Timestamp


class SecretMaterial(ResponseBody):
    webhook_url: str
    webhook_secret: str


class TriggerWithSecret(ResponseBody):
    trigger: TriggerOut
    secret_material: Optional[SecretMaterial]


class TriggerPreview(ResponseBody):
    trigger_id: str
    times: list[Timestamp]


class RunOut(ResponseBody):
    id: str
    routine_id: str
    company_id: str
    status: Literal["received", "coalesced", "skipped", "issue_created", "completed", "failed"]
    source: Literal["schedule", "manual", "api", "webhook"]
    trigger_id: Optional[str]
    trigger_payload: Any
    idempotency_key: Optional[str]
    linked_issue_id: Optional[str]
    coalesced_into_run_id: Optional[str]
    failure_reason: Optional[str]
    scheduled_for: Optional[Timestamp]
    triggered_at: Timestamp
    completed_at: Optional[Timestamp]
    created_at: Timestamp


class RoutineOut(ResponseBody):
    id: str
    company_id: str
    project_id: str
    goal_id: Optional[str]
    parent_issue_id: Optional[str]
    title: str
    description: Optional[str]
    assignee_agent_id: Optional[str]
    priority: Priority
    status: RoutineStatus
    concurrency_policy: ConcurrencyPolicy
    catch_up_policy: CatchUpPolicy
    variables: list[dict]
    activity_gate_policy: Optional[ActivityGatePolicy]
    activity_gate_scope: Optional[ActivityGateScope]
    env: Optional[dict[str, Any]]
    folder_id: Optional[str]
    last_triggered_at: Optional[Timestamp]
    created_at: Timestamp
    updated_at: Timestamp


class RoutineListItem(RoutineOut):
    triggers: list[TriggerSummaryOut]
    last_run: Optional[RunOut]
    active_issue: Optional[dict]


class RoutineDetail(RoutineOut):
    project: Optional[dict]
    assignee: Optional[dict]
    parent_issue: Optional[dict]
    triggers: list[TriggerOut]
    recent_runs: list[RunOut]
    active_issue: Optional[dict]
