"""Validation of the free-form JSON fields of an agent and a wakeup, as upstream's zod checks them
(`@paperclipai/shared` `validators/agent.js`, `validators/secret.js`, `ai-connections.js`; validators.md
§2.2, §2.3, §2.4), plus the size bounds that keep an agent item small (it is read on every
authentication; DynamoDB items stop at 400 KB).

Each bound (logic/json_bounds.py) is the serialized size of the field's JSON; beyond it the request is a
400 naming the field. The limits are documented in docs/compatibility.md ("Agents and keys").
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Callable

from pydantic import AfterValidator

from chalicelib.logic.json_bounds import (
    ADAPTER_CONFIG_MAX_BYTES, DESIRED_SKILLS_MAX_BYTES, INSTRUCTIONS_BUNDLE_MAX_BYTES, METADATA_MAX_BYTES,
    PERMISSIONS_MAX_BYTES, RUNTIME_CONFIG_MAX_BYTES, WAKEUP_PAYLOAD_MAX_BYTES, json_size,
)

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
_SECRET_KEY = re.compile(r"^[a-zA-Z0-9_.-]+$")
AI_PROVIDERS = ("anthropic", "openai", "openrouter", "xai")
AI_AUTH_METHODS = ("subscription", "api_key")
TRUST_PRESETS = ("standard", "low_trust_review")
SECRET_PROJECTION_CLASSES = ("unclassified", "class_3_static_lease")


def bounded(max_bytes: int, check: Callable[[Any], None] | None = None) -> AfterValidator:
    """A validator: `check`'s shape rules (ValueError), then at most `max_bytes` of JSON."""

    def validate(value: Any) -> Any:
        if value is None:
            return value
        if check is not None:
            check(value)
        if json_size(value) > max_bytes:
            raise ValueError(f"at most {max_bytes} bytes of JSON")
        return value

    return AfterValidator(validate)


def is_guid(value: Any) -> bool:
    return isinstance(value, str) and bool(_GUID.match(value))


# --- adapterConfig ---------------------------------------------------------------------------------


def _valid_env_binding(value: Any) -> bool:
    """upstream envBindingSchema: a string, {type: plain, value}, {type: secret_ref, secretId, …} or
    {type: user_secret_ref, key, …}."""
    if isinstance(value, str):
        return True
    if not isinstance(value, dict):
        return False
    kind = value.get("type")
    if kind == "plain":
        return isinstance(value.get("value"), str)
    version = value.get("version", "latest")
    version_ok = version == "latest" or (isinstance(version, int) and not isinstance(version, bool) and version > 0)
    if kind == "secret_ref":
        allowlist = value.get("projectionAllowlistKey")
        return (is_guid(value.get("secretId")) and version_ok
                and value.get("projectionClass", SECRET_PROJECTION_CLASSES[0]) in SECRET_PROJECTION_CLASSES
                and (allowlist is None or (isinstance(allowlist, str) and 1 <= len(allowlist.strip()) <= 160)))
    if kind == "user_secret_ref":
        key = value.get("key")
        return (isinstance(key, str) and 1 <= len(key.strip()) <= 120 and bool(_SECRET_KEY.match(key.strip()))
                and version_ok and all(isinstance(value.get(f, True), bool) for f in ("required", "allowMissingOverride")))
    return False


def check_adapter_config(value: dict[str, Any]) -> None:
    env = value.get("env")
    if env is not None and not (isinstance(env, dict) and all(_valid_env_binding(v) for v in env.values())):
        raise ValueError("adapterConfig.env must be a map of valid env bindings")


AdapterConfig = Annotated[dict[str, Any], bounded(ADAPTER_CONFIG_MAX_BYTES, check_adapter_config)]


# --- runtimeConfig ---------------------------------------------------------------------------------


def _check_ai_connection(value: Any) -> None:
    """upstream aiConnectionBindingSchema: a strict object discriminated by `mode`."""
    if not isinstance(value, dict):
        raise ValueError("runtimeConfig.aiConnection must be an object")
    mode = value.get("mode")
    fields = {"mode", "provider", "method"}
    if mode in ("shared", "delegated"):
        fields |= {"connectionId", "grantId"}
    elif mode != "responsible_user":
        raise ValueError("runtimeConfig.aiConnection.mode must be responsible_user, shared or delegated")
    if set(value) != fields:
        raise ValueError(f"runtimeConfig.aiConnection ({mode}) has exactly the fields {', '.join(sorted(fields))}")
    if value["provider"] not in AI_PROVIDERS or value["method"] not in AI_AUTH_METHODS:
        raise ValueError("runtimeConfig.aiConnection: unknown provider or method")
    if mode != "responsible_user" and not all(isinstance(value[f], str) and _UUID.match(value[f])
                                              for f in ("connectionId", "grantId")):
        raise ValueError("runtimeConfig.aiConnection: connectionId and grantId must be UUIDs")


def check_runtime_config(value: dict[str, Any]) -> None:
    """upstream agentRuntimeConfigSchema: any keys, but `debug` is strict `{providerTrace?: "raw"}`,
    `aiConnection` a binding, and `modelProfiles` is no longer supported."""
    if "modelProfiles" in value:
        raise ValueError("runtimeConfig.modelProfiles is no longer supported")
    debug = value.get("debug")
    if "debug" in value and not (isinstance(debug, dict) and set(debug) <= {"providerTrace"}
                                 and debug.get("providerTrace", "raw") == "raw"):
        raise ValueError('runtimeConfig.debug must be {"providerTrace": "raw"} or {}')
    if "aiConnection" in value:
        _check_ai_connection(value["aiConnection"])


RuntimeConfig = Annotated[dict[str, Any], bounded(RUNTIME_CONFIG_MAX_BYTES, check_runtime_config)]


# --- permissions, desiredSkills, instructionsBundle, metadata --------------------------------------


def check_permissions(value: dict[str, Any]) -> None:
    """upstream agentPermissionsSchema: booleans canCreateAgents / canCreateSkills, trustPreset, an
    authorizationPolicy object; other keys as given."""
    for flag in ("canCreateAgents", "canCreateSkills"):
        if flag in value and not isinstance(value[flag], bool):
            raise ValueError(f"permissions.{flag} must be a boolean")
    if "trustPreset" in value and value["trustPreset"] not in TRUST_PRESETS:
        raise ValueError(f"permissions.trustPreset must be one of {', '.join(TRUST_PRESETS)}")
    if "authorizationPolicy" in value and not isinstance(value["authorizationPolicy"], dict):
        raise ValueError("permissions.authorizationPolicy must be an object")


Permissions = Annotated[dict[str, Any], bounded(PERMISSIONS_MAX_BYTES, check_permissions)]


def check_desired_skills(value: list[Any]) -> None:
    """upstream agentDesiredSkillSelectionSchema: a skill key, or `{key, versionId: guid | null}`."""
    for entry in value:
        if isinstance(entry, str) and entry:
            continue
        if (isinstance(entry, dict) and set(entry) == {"key", "versionId"} and isinstance(entry["key"], str)
                and entry["key"] and (entry["versionId"] is None or is_guid(entry["versionId"]))):
            continue
        raise ValueError("each desired skill is a key or {key, versionId}")


DesiredSkills = Annotated[list[Any], bounded(DESIRED_SKILLS_MAX_BYTES, check_desired_skills)]


def check_instructions_bundle(value: dict[str, Any]) -> None:
    """upstream createAgentInstructionsBundleSchema: `{entryFile?, files: {path: content}}` with ≥ 1 file."""
    if not set(value) <= {"entryFile", "files"}:
        raise ValueError("instructionsBundle has only entryFile and files")
    entry = value.get("entryFile")
    if "entryFile" in value and not (isinstance(entry, str) and entry.strip()):
        raise ValueError("instructionsBundle.entryFile must be a non-empty string")
    files = value.get("files")
    if not (isinstance(files, dict) and files and all(isinstance(v, str) for v in files.values())):
        raise ValueError("instructionsBundle.files must contain at least one file (path -> text)")


InstructionsBundle = Annotated[dict[str, Any], bounded(INSTRUCTIONS_BUNDLE_MAX_BYTES, check_instructions_bundle)]
Metadata = Annotated[dict[str, Any], bounded(METADATA_MAX_BYTES)]
WakeupPayload = Annotated[dict[str, Any], bounded(WAKEUP_PAYLOAD_MAX_BYTES)]


# --- agent key scope -------------------------------------------------------------------------------


def check_key_scope(value: dict[str, Any]) -> None:
    """upstream agentApiKeyScopeSchema: one of three strict objects, by `kind`."""
    kind = value.get("kind")
    if kind == "standard":
        allowed: set[str] = {"kind"}
    elif kind == "task_bridge":
        allowed = {"kind", "projectId", "projectIds", "parentIssueId", "parentIssueIds", "allowedAssigneeAgentIds"}
        for single in ("projectId", "parentIssueId"):
            if value.get(single) is not None and not is_guid(value[single]):
                raise ValueError(f"scope.{single} must be a UUID")
        for many in ("projectIds", "parentIssueIds", "allowedAssigneeAgentIds"):
            ids = value.get(many, [])
            if not (isinstance(ids, list) and len(ids) <= 50 and all(is_guid(i) for i in ids)):
                raise ValueError(f"scope.{many} must be at most 50 UUIDs")
        if not (value.get("projectId") or value.get("projectIds") or value.get("parentIssueId") or value.get("parentIssueIds")):
            raise ValueError("task_bridge keys require at least one project or parent issue boundary")
    elif kind == "skill_test":
        allowed = {"kind", "issueId"}
        if not is_guid(value.get("issueId")):
            raise ValueError("scope.issueId must be a UUID")
    else:
        raise ValueError("scope.kind must be standard, task_bridge or skill_test")
    if not set(value) <= allowed:
        raise ValueError(f"unknown fields in a {kind} scope: {', '.join(sorted(set(value) - allowed))}")


def _check_guid(value: str) -> str:
    if not is_guid(value):
        raise ValueError("must be a UUID")
    return value


def _check_debug(value: dict[str, Any]) -> dict[str, Any]:
    if value != {"providerTrace": "raw"}:
        raise ValueError('must be {"providerTrace": "raw"}')
    return value


GuidText = Annotated[str, AfterValidator(_check_guid)]  # upstream z.string().guid()
ProviderTraceDebug = Annotated[dict[str, Any], AfterValidator(_check_debug)]  # upstream strict {providerTrace: "raw"}
KeyScope = Annotated[dict[str, Any], AfterValidator(lambda v: (check_key_scope(v), v)[1])]
