"""Schemas for companies, projects, goals, activity and health."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, not_null, text

CompanyStatus = Literal["active", "paused", "archived"]


ProjectStatus = Literal["backlog", "planned", "in_progress", "completed", "cancelled"]


GoalStatus = Literal["planned", "active", "achieved", "cancelled"]


# Upstream's GOAL_LEVELS (`@paperclipai/shared` constants.js); `task` is the CLI's default level.
GoalLevel = Literal["company", "team", "agent", "task"]

# --- upstream field types (validators.md §1) --------------------------------------------------------

# zod's `string().guid()`: 8-4-4-4-12 hex digits, any version.
Guid = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
NonNegativeInt = Annotated[int, Field(ge=0, le=2**53 - 1)]  # zod int().nonnegative(), within JSON's exact integers

# Free-form JSON that is stored as given must fit DynamoDB's 400 KB item with the rest of the item:
# each such field is at most JSON_FIELD_MAX_BYTES of compact UTF-8 JSON (400 beyond, naming the field).
JSON_FIELD_MAX_BYTES = 16 * 1024


def _bounded(value: Any) -> Any:
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > JSON_FIELD_MAX_BYTES:
        raise ValueError(f"at most {JSON_FIELD_MAX_BYTES} bytes of JSON (got {size})")
    return value


def _iso_datetime(value: str) -> str:
    """zod `string().datetime()` / `coerce.date()` from a string: an ISO 8601 date-time."""
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time")
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded)]
IsoDateTime = Annotated[str, AfterValidator(_iso_datetime)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]


class StrictPart(BaseModel):
    """A nested object upstream marks `.strict()`: unknown keys are a 400 here too."""

    model_config = ConfigDict(extra="forbid", strict=True, alias_generator=to_camel, populate_by_name=False,
                              defer_build=True)


ResolverPolicy = Literal["anyone", "not_creator", "human_only", "board_or_agents", "board_only"]


class ResolverKindGovernance(StrictPart):
    default_policy: ResolverPolicy = not_null()
    cap: ResolverPolicy = not_null()


class InteractionResolverGovernance(BaseModel):
    """Upstream `interactionResolverGovernanceSchema`: its five kinds, snake_case keys as upstream spells them."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    suggest_tasks: ResolverKindGovernance = not_null()
    ask_user_questions: ResolverKindGovernance = not_null()
    request_confirmation: ResolverKindGovernance = not_null()
    request_checkbox_confirmation: ResolverKindGovernance = not_null()
    request_item_verdicts: ResolverKindGovernance = not_null()


class CompanyCreate(RequestBody):
    name: text(1, 200, strip=True)
    description: Optional[text(0, 10_000)] = None
    status: Optional[CompanyStatus] = None
    budget_monthly_cents: NonNegativeInt = Field(0, description="default 0 (upstream); stored and returned")
    default_responsible_user_id: Optional[ShortText] = Field(None, description="default: the creating board user")


class CompanyUpdate(RequestBody):
    name: text(1, 200, strip=True) = not_null()
    description: Optional[text(0, 10_000)] = None
    status: CompanyStatus = not_null()
    budget_monthly_cents: NonNegativeInt = not_null()
    spent_monthly_cents: NonNegativeInt = not_null()
    default_responsible_user_id: Optional[ShortText] = None
    require_board_approval_for_new_agents: bool = not_null()
    interaction_resolver_governance: InteractionResolverGovernance = not_null()
    feedback_data_sharing_enabled: bool = not_null()
    feedback_data_sharing_consent_at: Optional[IsoDateTime] = None
    feedback_data_sharing_consent_by_user_id: Optional[ShortText] = None
    feedback_data_sharing_terms_version: Optional[ShortText] = None
    logo_asset_id: Optional[Guid] = None


class CompanyOut(ResponseBody):
    id: str
    name: str
    description: Optional[str]
    status: CompanyStatus
    issue_prefix: str
    issue_counter: int
    budget_monthly_cents: int
    spent_monthly_cents: int
    default_responsible_user_id: Optional[str]
    require_board_approval_for_new_agents: bool
    interaction_resolver_governance: dict[str, Any]
    feedback_data_sharing_enabled: bool
    feedback_data_sharing_consent_at: Optional[str]
    feedback_data_sharing_consent_by_user_id: Optional[str]
    feedback_data_sharing_terms_version: Optional[str]
    logo_asset_id: Optional[str]
    logo_url: Optional[str]
    pause_reason: Optional[str]
    paused_at: Optional[str]
    created_at: Timestamp
    updated_at: Timestamp


class CompanyDeleted(ResponseBody):
    ok: bool
    status: Optional[Literal["deleting"]] = None
    deleted_company_id: str


ProjectIcon = Literal["folder", "rocket", "code", "terminal", "database", "globe", "package", "boxes", "box", "layers",
                      "briefcase", "compass", "target", "flame", "zap", "star", "bug", "wrench", "hammer", "lightbulb",
                      "sparkles", "shield", "lock", "search", "cog", "brain", "cpu", "git-branch", "file-code", "puzzle",
                      "gem", "atom", "heart", "mail", "message-square", "crown", "radar", "telescope", "hexagon"]


def _env_bindings(value: dict[str, Any]) -> dict[str, Any]:
    """Upstream `envConfigSchema`: name -> a string or a binding object with a `type`."""
    for name, binding in value.items():
        if not isinstance(binding, str) and not (isinstance(binding, dict) and isinstance(binding.get("type"), str)):
            raise ValueError(f"{name}: a string or a binding object with a type")
    return value


def _workspace_policy(value: dict[str, Any]) -> dict[str, Any]:
    """Upstream `projectExecutionWorkspacePolicySchema`: a strict object whose `enabled` is required."""
    if not isinstance(value.get("enabled"), bool):
        raise ValueError("enabled: a boolean is required")
    return value


def _workspace(value: dict[str, Any]) -> dict[str, Any]:
    """Upstream `createProjectWorkspaceSchema`: needs `cwd` or `repoUrl` (remote-managed: a ref or repoUrl)."""
    has = {k for k in ("cwd", "repoUrl", "remoteWorkspaceRef") if isinstance(value.get(k), str) and value[k].strip()}
    needed = {"remoteWorkspaceRef", "repoUrl"} if value.get("sourceType") == "remote_managed" else {"cwd", "repoUrl"}
    if not has & needed:
        raise ValueError("a workspace needs " + " or ".join(sorted(needed)))
    return value


EnvConfig = Annotated[dict[str, Any], AfterValidator(_env_bindings), AfterValidator(_bounded)]
WorkspacePolicy = Annotated[dict[str, Any], AfterValidator(_workspace_policy), AfterValidator(_bounded)]
Workspace = Annotated[dict[str, Any], AfterValidator(_workspace), AfterValidator(_bounded)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")]


class ProjectFields(RequestBody):
    """Upstream's `projectFields` (validators.md §3); `goalId` is upstream's deprecated single goal."""

    description: Optional[text(0, 10_000)] = None
    goal_ids: Optional[list[Guid]] = Field(None, max_length=100)
    goal_id: Optional[Guid] = Field(None, description="deprecated (upstream): the same as goalIds [goalId]; null: []")
    lead_agent_id: Optional[Guid] = None
    target_date: Optional[text(0, 100)] = None
    color: Optional[text(0, 100)] = None
    icon: Optional[ProjectIcon] = None
    env: Optional[EnvConfig] = None
    execution_workspace_policy: Optional[WorkspacePolicy] = None
    archived_at: Optional[IsoDateTime] = Field(None, description="set: hidden from the list unless includeArchived=true")


class ProjectCreate(ProjectFields):
    name: text(1, 200, strip=True)
    status: Optional[ProjectStatus] = Field(None, description="default backlog (upstream)")
    idempotency_key: Optional[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]] = Field(
        None, description="a repeat with the same key and body returns the same project (200); another body is 409")
    workspace: Optional[Workspace] = None
    repository_ids: Optional[list[Annotated[str, StringConstraints(pattern=r"^\d+$", max_length=40)]]] = Field(None, max_length=100)
    repository_urls: Optional[list[Url]] = Field(None, max_length=100)


class ProjectUpdate(ProjectFields):
    name: text(1, 200, strip=True) = not_null()
    status: ProjectStatus = not_null()
    paused: Optional[bool] = Field(None, description="ours: true sets pausedAt, false clears it")


class ProjectOut(ResponseBody):
    id: str
    company_id: str
    url_key: str
    name: str
    description: Optional[str]
    status: str
    goal_id: Optional[str]
    goal_ids: list[str]
    lead_agent_id: Optional[str]
    target_date: Optional[str]
    color: Optional[str]
    icon: Optional[str]
    env: Optional[dict[str, Any]]
    execution_workspace_policy: Optional[dict[str, Any]]
    archived_at: Optional[str]
    pause_reason: Optional[str]
    paused_at: Optional[Timestamp]
    created_at: Timestamp
    updated_at: Timestamp


class GoalCreate(RequestBody):
    title: text(1, 200, strip=True)
    description: Optional[text(0, 10_000)] = None
    status: Optional[GoalStatus] = None
    level: Optional[GoalLevel] = Field(None, description="default task (upstream)")
    parent_id: Optional[Guid] = None
    owner_agent_id: Optional[Guid] = None


class GoalUpdate(RequestBody):
    title: text(1, 200, strip=True) = not_null()
    description: Optional[text(0, 10_000)] = None
    status: GoalStatus = not_null()
    level: GoalLevel = not_null()
    parent_id: Optional[Guid] = None
    owner_agent_id: Optional[Guid] = None


class GoalOut(ResponseBody):
    id: str
    company_id: str
    title: str
    description: Optional[str]
    status: GoalStatus
    level: GoalLevel
    parent_id: Optional[str]
    owner_agent_id: Optional[str]
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
