"""Upstream Paperclip's structured issue and comment fields that we store and return as given.

Each model mirrors the zod schema of `@paperclipai/shared` 2026.916.1 (`dist/validators/issue.js`,
validators.md §5.1/§5.5): the same names, enums and bounds, so a body upstream accepts is accepted here
and a value upstream refuses is a 400 naming it. Two deliberate differences, both toward refusing:
nested objects are closed like every request body of this API (upstream's non-strict objects drop
unknown keys silently; here they are a 400 naming them), and free-form records (`adapterConfig`,
`workspaceRuntime`, `reviewPreset`, ...) are bounded in size by the issues service (issue_fields.py
there) so an issue item stays far below DynamoDB's 400 KB.

Upstream's defaults are not filled in: a value is stored exactly as the client sent it.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from chalicelib.http.schemas.base import RequestBody, text

def absent_or(description: str | None = None, **constraints: Any) -> Any:
    """A field that may be omitted but not null (upstream's `.optional()` without `.nullable()`),
    documented without the null default; `constraints` as for pydantic's Field (ge, max_length, ...)."""
    return Field(None, description=description, json_schema_extra=_no_default, **constraints)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


# zod's z.string().guid(): any 8-4-4-4-12 hex string, whatever its version digit.
GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# zod's z.string().uuid(): RFC 4122 variant, versions 1..8 (and the nil UUID, which no client sends).
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
# zod's z.string().datetime(): ISO 8601 in UTC with a Z, optional fraction, no offset.
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$"

Guid = Annotated[str, StringConstraints(pattern=GUID_PATTERN)]
Uuid = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
DateTime = Annotated[str, StringConstraints(pattern=DATETIME_PATTERN)]
Record = dict[str, Any]  # z.record(z.string(), z.unknown()): any JSON object

WorkMode = Literal["standard", "ask", "planning", "skill_test"]
HarnessKind = Literal["skill_test"]
ReviewPolicy = Literal["anyone", "not_creator", "human_only"]
WorkspacePreference = Literal["inherit", "shared_workspace", "isolated_workspace", "operator_branch", "reuse_existing",
                              "agent_default"]
MAX_REQUEST_DEPTH = 1024  # upstream's MAX_ISSUE_REQUEST_DEPTH: larger values are clamped, not refused


class AgentOwner(RequestBody):
    agent_id: Guid


class UserOwner(RequestBody):
    user_id: text(1, 10_000, strip=True)


class UnblockDescriptor(RequestBody):
    """Who must act for a blocked issue to move, and what they must do (only with status `blocked`)."""

    owner: Union[AgentOwner, UserOwner, Literal["board"]]
    action: text(1, 2_000, strip=True)


class AssigneeAdapterOverrides(RequestBody):
    adapter_config: Optional[Record] = None
    use_project_workspace: Optional[bool] = None


class StageParticipant(RequestBody):
    id: Optional[Guid] = None
    type: Literal["agent", "user"]
    agent_id: Optional[Guid] = None
    user_id: Optional[str] = None

    @model_validator(mode="after")
    def _one_principal(self) -> "StageParticipant":
        if self.type == "agent" and (not self.agent_id or self.user_id):
            raise ValueError("Agent participants require agentId and cannot set userId")
        if self.type == "user" and (not self.user_id or self.agent_id):
            raise ValueError("User participants require userId and cannot set agentId")
        return self


class ExecutionStage(RequestBody):
    id: Optional[Guid] = None
    type: Literal["review", "approval"]
    approvals_needed: Optional[Literal[1]] = None
    participants: Optional[list[StageParticipant]] = None


class ExecutionMonitor(RequestBody):
    next_check_at: DateTime
    notes: Optional[text(0, 500)] = None
    scheduled_by: Optional[Literal["assignee", "board"]] = None
    kind: Optional[Literal["external_service"]] = None
    service_name: Optional[text(1, 120, strip=True)] = None
    external_ref: Optional[text(1, 500, strip=True)] = None
    timeout_at: Optional[DateTime] = None
    max_attempts: Optional[Annotated[int, Field(ge=1, le=100)]] = None
    recovery_policy: Optional[Literal["wake_owner", "create_recovery_issue", "escalate_to_board"]] = None


class ExecutionPolicy(RequestBody):
    mode: Optional[Literal["normal", "auto"]] = None
    comment_required: Optional[bool] = None
    stages: Optional[list[ExecutionStage]] = None
    monitor: Optional[ExecutionMonitor] = None
    review_preset: Optional[Record] = None  # upstream: a fixed low-trust preset object
    authorization_policy: Optional[Record] = None  # upstream: an open (catchall) object
    max_review_rounds: Optional[Annotated[int, Field(ge=1, le=50)]] = None


class WorkspaceStrategy(RequestBody):
    type: Optional[Literal["project_primary", "git_worktree", "adapter_managed", "cloud_sandbox"]] = None
    base_ref: Optional[str] = None
    branch_template: Optional[str] = None
    existing_branch: Optional[text(1, 255, strip=True)] = None
    worktree_parent_dir: Optional[str] = None
    provision_command: Optional[str] = None
    runtime_provision_command: Optional[str] = None
    teardown_command: Optional[str] = None

    @model_validator(mode="after")
    def _existing_branch(self) -> "WorkspaceStrategy":
        if self.existing_branch and self.type != "git_worktree":
            raise ValueError('existingBranch requires workspaceStrategy.type "git_worktree"')
        if self.existing_branch and self.branch_template:
            raise ValueError("existingBranch and branchTemplate are mutually exclusive")
        return self


class NetworkEgress(RequestBody):
    allow_fqdns: Optional[list[text(1, 253, strip=True)]] = Field(None, max_length=100)
    allow_cidrs: Optional[list[text(1, 64, strip=True)]] = Field(None, max_length=100)


class ExecutionWorkspaceSettings(RequestBody):
    mode: Optional[WorkspacePreference] = None
    shared_workspace_concurrency: Optional[Literal["auto", "serialize", "allow"]] = None
    environment_id: Optional[Guid] = None
    workspace_strategy: Optional[WorkspaceStrategy] = None
    workspace_runtime: Optional[Record] = None
    network_egress: Optional[NetworkEgress] = None

    @model_validator(mode="after")
    def _existing_branch_mode(self) -> "ExecutionWorkspaceSettings":
        if self.workspace_strategy and self.workspace_strategy.existing_branch and self.mode != "isolated_workspace":
            raise ValueError('existingBranch requires mode "isolated_workspace"')
        return self


class WatchdogDiscovery(RequestBody):
    kind: Literal["product_bug", "platform_bug"]
    evidence_markdown: Optional[str] = None


class Watchdog(RequestBody):
    agent_id: Guid
    instructions: Optional[str] = None


class ReviewRequest(RequestBody):
    instructions: text(1, 20_000, strip=True)


# --- comments ----------------------------------------------------------------------------------------


class CommentPresentation(RequestBody):
    kind: Optional[Literal["message", "system_notice"]] = None
    tone: Optional[Literal["neutral", "info", "success", "warning", "danger"]] = None
    title: Optional[text(1, 160, strip=True)] = None
    details_default_open: Optional[bool] = None
    density: Optional[Literal["compact"]] = None


_Label = text(1, 120, strip=True)


class TextRow(RequestBody):
    type: Literal["text"]
    label: Optional[_Label] = None
    text: text(1, 2_000, strip=True)


class CodeRow(RequestBody):
    type: Literal["code"]
    label: Optional[_Label] = None
    code: text(1, 4_000)
    language: Optional[text(1, 40, strip=True)] = None


class KeyValueRow(RequestBody):
    type: Literal["key_value"]
    label: _Label
    value: text(1, 2_000, strip=True)


class IssueLinkRow(RequestBody):
    type: Literal["issue_link"]
    label: Optional[_Label] = None
    issue_id: Optional[Guid] = None
    identifier: Optional[text(1, 80, strip=True)] = None
    title: Optional[text(1, 240, strip=True)] = None

    @model_validator(mode="after")
    def _target(self) -> "IssueLinkRow":
        if not self.issue_id and not self.identifier:
            raise ValueError("Issue link rows require issueId or identifier")
        return self


class AgentLinkRow(RequestBody):
    type: Literal["agent_link"]
    label: Optional[_Label] = None
    agent_id: Guid
    name: Optional[text(1, 160, strip=True)] = None


class RunLinkRow(RequestBody):
    type: Literal["run_link"]
    label: Optional[_Label] = None
    run_id: Guid
    agent_id: Optional[Guid] = None
    title: Optional[text(1, 160, strip=True)] = None


MetadataRow = Annotated[Union[TextRow, CodeRow, KeyValueRow, IssueLinkRow, AgentLinkRow, RunLinkRow],
                        Field(discriminator="type")]


class MetadataSection(RequestBody):
    title: Optional[text(1, 160, strip=True)] = None
    rows: list[MetadataRow] = Field(min_length=1, max_length=50)


class CommentMetadata(RequestBody):
    version: Literal[1]
    source_channel: Optional[Literal["imessage-photon"]] = None
    source_run_id: Optional[Guid] = None
    authorization_reason: Optional[text(1, 160, strip=True)] = None
    sections: list[MetadataSection] = Field(min_length=1, max_length=20)


def _unique(ids: list[str]) -> list[str]:
    if len(set(ids)) != len(ids):
        raise ValueError("Attachment ids must be unique")
    return ids


AttachmentIds = Annotated[list[Uuid], Field(max_length=20, description="at most 20, unique"), AfterValidator(_unique)]
