"""Upstream's agent fields on our agent item: which are stored as given, their defaults, and the agent's
JSON (validators.md §2.2 for the request fields, §9.4 for the response).

| field | here |
|---|---|
| `adapterType` | stored as given (default `process`); this service runs no adapters |
| `adapterConfig` | stored; a PATCH merges it into the stored one (`replaceAdapterConfig: true` replaces it), as upstream; env values redacted in every response (logic/agent_config_redaction.py) |
| `runtimeConfig`, `icon`, `desiredSkills`, `instructionsBundle`, `defaultEnvironmentId`, `metadata`, `storedSessionId`, `applyStoredClaudeLogin`, `onboardingFirstAgent` | stored and returned as given |
| `budgetMonthlyCents` | stored (default 0), returned; no cost is tracked, so nothing is ever paused for budget |
| `spentMonthlyCents` | stored when a PATCH sets it (default 0), returned: this service does not track costs |
| `permissions` | stored and returned as given on create (PATCH: 400, as upstream); grants nothing (agents never create agents here) |

An agent reading another agent gets upstream's restricted view: `adapterConfig` and `runtimeConfig`
are `{}` and `instructionsBundle` null (upstream blanks them for callers without configuration access).
"""
from __future__ import annotations

from typing import Any

from chalicelib.logic import agent_config_redaction, agent_url_key
from chalicelib.store.agents import Agent

DEFAULT_ADAPTER_TYPE = "process"

# wire name -> attribute, for the fields stored exactly as given (create and PATCH alike)
AS_GIVEN = {
    "icon": "icon",
    "adapterType": "adapter_type",
    "runtimeConfig": "runtime_config",
    "defaultEnvironmentId": "default_environment_id",
    "desiredSkills": "desired_skills",
    "instructionsBundle": "instructions_bundle",
    "metadata": "metadata",
    "storedSessionId": "stored_session_id",
    "applyStoredClaudeLogin": "apply_stored_claude_login",
    "onboardingFirstAgent": "onboarding_first_agent",
    "budgetMonthlyCents": "budget_monthly_cents",
    "spentMonthlyCents": "spent_monthly_cents",
    "permissions": "permissions",
}
# the fields the contract already had (SPEC §3)
CORE = {"name": "name", "role": "role", "title": "title", "reportsTo": "reports_to", "capabilities": "capabilities"}
# what upstream's zod fills in on create when the field is absent
CREATE_DEFAULTS = {"adapterType": DEFAULT_ADAPTER_TYPE, "adapterConfig": {}, "runtimeConfig": {}, "budgetMonthlyCents": 0}
# board-only on PATCH: an agent does not raise its own budget or move its own status
BOARD_ONLY = ("budgetMonthlyCents", "spentMonthlyCents", "status")


def create_values(data: dict[str, Any]) -> dict[str, Any]:
    """Attribute values of a new agent from a validated create body (defaults applied)."""
    given = {**CREATE_DEFAULTS, **{k: v for k, v in data.items() if v is not None}}
    values = {attr: given[wire] for wire, attr in AS_GIVEN.items() if wire in given}
    values["adapter_config"] = given["adapterConfig"]
    values["adapter_config_revision"] = 1
    return values


def to_json(agent: Agent, *, config: bool = True) -> dict[str, Any]:
    """The agent as upstream shapes it (Agent row + `urlKey`). `config=False`: the restricted view."""
    paused = agent.status == "paused"
    return {
        "id": agent.id,
        "companyId": agent.company_id,
        "name": agent.name,
        "urlKey": agent_url_key.url_key(agent.name, agent.id),
        "role": agent.role,
        "title": agent.title,
        "icon": agent.icon,
        "reportsTo": agent.reports_to,
        "capabilities": agent.capabilities,
        "status": agent.status,
        "adapterType": agent.adapter_type or DEFAULT_ADAPTER_TYPE,
        "adapterConfig": agent_config_redaction.redact(agent.adapter_config or {}) if config else {},
        "runtimeConfig": (agent.runtime_config or {}) if config else {},
        "defaultEnvironmentId": agent.default_environment_id,
        "budgetMonthlyCents": int(agent.budget_monthly_cents or 0),
        "spentMonthlyCents": int(agent.spent_monthly_cents or 0),
        "pauseReason": (agent.pause_reason or "manual") if paused else None,
        "pausedAt": agent.paused_at if paused else None,
        "errorReason": None,
        "lastHeartbeatAt": agent.last_heartbeat_at,
        "permissions": agent.permissions if agent.permissions is not None else {"canCreateAgents": False},
        "metadata": agent.metadata,
        "desiredSkills": agent.desired_skills,
        "instructionsBundle": agent.instructions_bundle if config else None,
        "storedSessionId": agent.stored_session_id,
        "applyStoredClaudeLogin": agent.apply_stored_claude_login,
        "onboardingFirstAgent": agent.onboarding_first_agent,
        "createdAt": agent.created_at,
        "updatedAt": agent.updated_at,
    }
