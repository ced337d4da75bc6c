"""The read-only `legacyPlanDocument` of an issue (SPEC §4): older issues kept their plan inside the
description as a `<plan>…</plan>` block. Pure.

The first block wins; tags match case-insensitively and may span lines; the body is the text between
the tags with surrounding whitespace trimmed. An empty or unterminated block is no plan.
"""
from __future__ import annotations

import re
from typing import Any

_PLAN_BLOCK = re.compile(r"<plan>(.*?)</plan>", re.IGNORECASE | re.DOTALL)


def plan_block(description: str | None) -> str | None:
    match = _PLAN_BLOCK.search(description or "")
    if match is None:
        return None
    body = match.group(1).strip()
    return body or None


def legacy_plan_document(description: str | None, has_plan_document: bool) -> dict[str, Any] | None:
    if has_plan_document:
        return None
    body = plan_block(description)
    if body is None:
        return None
    return {"key": "plan", "body": body, "source": "issue_description"}
