"""What an agent's `adapterConfig` shows in responses: its `env` values are never echoed (upstream
`redactAgentAdapterConfig`, server `redaction.js`; validators.md §9.4 "secret env values redacted").

Env bindings (`@paperclipai/shared` `envBindingSchema`): a plain string or `{type: "plain", value}` is
shown as `{type: "plain", value: "***REDACTED***"}`; references to secrets (`{type: "secret_ref",
secretId, …}`, `{type: "user_secret_ref", key, …}`) name no secret value and are shown as given.
A PATCH that sends a redacted plain value back keeps the stored one (upstream `restoreRedactedAgentEnv`),
so a client may round-trip the config it read without wiping its secrets.
"""
from __future__ import annotations

from typing import Any

REDACTED = "***REDACTED***"
_REFERENCE_TYPES = ("secret_ref", "user_secret_ref")


def redact_binding(value: Any) -> Any:
    if isinstance(value, dict) and value.get("type") in _REFERENCE_TYPES:
        return value
    if isinstance(value, str) or (isinstance(value, dict) and value.get("type") == "plain"):
        return {"type": "plain", "value": REDACTED}
    if value is None:
        return None
    return REDACTED


def redact(adapter_config: Any) -> Any:
    """The config with every env value redacted (a copy; the stored config is untouched)."""
    if not isinstance(adapter_config, dict) or not isinstance(adapter_config.get("env"), dict):
        return adapter_config
    env = {key: redact_binding(value) for key, value in adapter_config["env"].items()}
    return {**adapter_config, "env": env}


def restore(requested: dict[str, Any], stored: Any) -> dict[str, Any]:
    """`requested` with every env entry that is still the redaction marker replaced by the stored one."""
    env, stored_env = requested.get("env"), stored.get("env") if isinstance(stored, dict) else None
    if not isinstance(env, dict) or not isinstance(stored_env, dict):
        return requested
    restored = {
        key: stored_env[key] if _is_redacted(value) and key in stored_env else value
        for key, value in env.items()
    }
    return {**requested, "env": restored}


def _is_redacted(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "plain" and value.get("value") == REDACTED
