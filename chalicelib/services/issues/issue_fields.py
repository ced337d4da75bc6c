"""Upstream's issue fields (validators.md §5.1/§5.2) between a request body, the Issue item and its JSON.

Three kinds of field:
- with behaviour of their own, in attributes of their own (`ATTRIBUTE_FIELDS`): workMode, requestDepth,
  hiddenAt (hidden issues leave lists), labelIds (the list's `labelId` filter), assigneeUserId and
  the user attribution fields;
- stored and returned as given (`PASSTHROUGH_FIELDS`): kept together in `Issue.passthrough`, each
  bounded to PASSTHROUGH_FIELD_MAX_BYTES of JSON (413 beyond), so the item stays far below
  DynamoDB's 400 KB whatever a client sends;
- directives that act and are not stored (comment, reopen, allowDuplicate, ...): their services.

Pure translation; no I/O.
"""
from __future__ import annotations

import json
from typing import Any

from chalicelib.errors import PayloadTooLarge
from chalicelib.store.issues import Issue

MAX_REQUEST_DEPTH = 1024  # upstream's MAX_ISSUE_REQUEST_DEPTH: larger values are clamped
# An issue item is at most 400 KB: the description (100,000 characters, but bounded in bytes too) and the
# stored-as-given fields share it with room to spare for everything else.
PASSTHROUGH_FIELD_MAX_BYTES = 16 * 1024
PASSTHROUGH_TOTAL_MAX_BYTES = 48 * 1024
DESCRIPTION_MAX_BYTES = 300 * 1024

# body key -> Issue attribute, for the fields with an attribute of their own (PATCH compares and sets these)
ATTRIBUTE_FIELDS = {
    "workMode": "work_mode",
    "requestDepth": "request_depth",
    "hiddenAt": "hidden_at",
    "labelIds": "label_ids",
    "assigneeUserId": "assignee_user_id",
}

# Stored as given on create and PATCH (upstream defines them; we have no behaviour for them).
PASSTHROUGH_FIELDS = (
    "projectWorkspaceId",
    "unblockDescriptor",
    "inheritExecutionWorkspaceFromIssueId",
    "harnessKind",
    "reviewPolicy",
    "assigneeAdapterOverrides",
    "executionPolicy",
    "executionWorkspaceId",
    "executionWorkspacePreference",
    "executionWorkspaceSettings",
    "watchdogDiscovery",
    "reviewInteractionId",
    "reviewRequest",
)
# Only on create (upstream's update schema omits them).
CREATE_ONLY_PASSTHROUGH = ("watchdog", "onboardingFirstTask")


def clamp_request_depth(value: int) -> int:
    return max(0, min(MAX_REQUEST_DEPTH, int(value)))


def attribute_values(data: dict[str, Any]) -> dict[str, Any]:
    """The attribute-backed upstream fields named in `data`, as Issue attribute values."""
    values: dict[str, Any] = {}
    for key, attr in ATTRIBUTE_FIELDS.items():
        if key not in data:
            continue
        value = data[key]
        if key == "requestDepth" and value is not None:
            value = clamp_request_depth(value)
        if key == "labelIds":
            value = list(dict.fromkeys(value)) or None  # an empty list is stored as absent
        values[attr] = value
    return values


def merged_passthrough(current: dict[str, Any] | None, data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any] | None:
    """`current` with the `fields` given in `data` replaced (null values kept: a client that sends null
    gets null back). 413 when one field's JSON is larger than PASSTHROUGH_FIELD_MAX_BYTES, or all of
    them together larger than PASSTHROUGH_TOTAL_MAX_BYTES."""
    merged = dict(current or {})
    for key in fields:
        if key in data:
            size = _json_bytes(data[key])
            if size > PASSTHROUGH_FIELD_MAX_BYTES:
                raise PayloadTooLarge(f"{key} is too large", {key: f"at most {PASSTHROUGH_FIELD_MAX_BYTES} bytes of JSON",
                                                               "byteSize": size})
            merged[key] = data[key]
    total = _json_bytes(merged)
    if total > PASSTHROUGH_TOTAL_MAX_BYTES:
        raise PayloadTooLarge("The issue's stored fields are too large together",
                              {"fields": sorted(merged), "byteSize": total, "maxBytes": PASSTHROUGH_TOTAL_MAX_BYTES})
    return merged or None


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def check_description_size(description: str | None) -> None:
    """Our 100,000-character limit is in characters; an item also has a byte limit (413 beyond)."""
    if description and len(description.encode("utf-8")) > DESCRIPTION_MAX_BYTES:
        raise PayloadTooLarge("description is too large", {"description": f"at most {DESCRIPTION_MAX_BYTES} bytes of UTF-8"})


def issue_number(identifier: str) -> int | None:
    try:
        return int(identifier.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def to_json(issue: Issue) -> dict[str, Any]:
    """The fields of upstream's Issue we can give, beyond SPEC §4's."""
    passthrough = dict(issue.passthrough or {})
    body = {
        "issueNumber": issue_number(issue.identifier),
        "workMode": issue.work_mode or "standard",
        "requestDepth": int(issue.request_depth or 0),
        "assigneeUserId": issue.assignee_user_id,
        "executionRunId": issue.checkout_run_id,
        "createdByAgentId": issue.created_by_agent_id,
        "createdByUserId": issue.created_by_user_id,
        "responsibleUserId": issue.responsible_user_id,
        "blockedByIssueIds": sorted(issue.blocked_by or ()),
        "labelIds": list(issue.label_ids or []),
        "labels": [],
        "hiddenAt": issue.hidden_at,
        "executionState": None,
    }
    for key in PASSTHROUGH_FIELDS:
        body[key] = passthrough.get(key)
    for key in CREATE_ONLY_PASSTHROUGH:
        if key in passthrough:
            body[key] = passthrough[key]
    return body
