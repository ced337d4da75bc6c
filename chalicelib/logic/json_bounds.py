"""Size bounds of the free-form JSON an agent and a wakeup carry as given (upstream defines no bound;
ours keep an agent item, read on every authentication, small, and every item under DynamoDB's 400 KB).

A bound is the size of the value serialized as compact UTF-8 JSON. Together an agent's JSON fields
stay under 64 KiB; docs/compatibility.md ("Agents and keys") lists them.
"""
from __future__ import annotations

import json
from typing import Any

ADAPTER_CONFIG_MAX_BYTES = 16 * 1024
RUNTIME_CONFIG_MAX_BYTES = 8 * 1024
METADATA_MAX_BYTES = 8 * 1024
PERMISSIONS_MAX_BYTES = 4 * 1024
DESIRED_SKILLS_MAX_BYTES = 4 * 1024
INSTRUCTIONS_BUNDLE_MAX_BYTES = 16 * 1024
WAKEUP_PAYLOAD_MAX_BYTES = 4 * 1024


def json_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
