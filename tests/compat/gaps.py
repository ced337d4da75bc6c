"""Client calls that do not work yet, each with what fails and what the client needs.

`gap(key)` marks a test `xfail(strict=True)`: the test still runs and asserts the client's real
result; it must FAIL while the gap is open, and the suite turns red (XPASS strict) the moment the
service is fixed, so the mark cannot outlive the gap: whoever closes a gap deletes its entry here.
docs/compatibility.md lists the same gaps; the lead routes them to the engineer of the area.
"""
from __future__ import annotations

import pytest

# key → (area, what the client sends, what we answer, what it needs)
GAPS: dict[str, str] = {
    "company.budget": "TODO",
    "company.delete": "TODO",
    "agent.create": "TODO",
    "agent.update_status": "TODO",
    "agent.delete": "TODO",
    "agent.me_shape": "TODO",
    "agent.inbox_lite": "TODO",
    "agent.wakeup": "TODO",
    "agent.shortname": "TODO",
    "agent.key_scope": "TODO",
    "agent.prompt": "TODO",
    "project.get_with_company": "TODO",
    "project.fields": "TODO",
    "project.shortname": "TODO",
    "project.delete": "TODO",
    "goal.level_task": "TODO",
    "goal.owner": "TODO",
    "goal.delete": "TODO",
    "issue.create_defaults": "TODO",
    "issue.update_fields": "TODO",
    "issue.comment_flags": "TODO",
    "issue.comments_order": "TODO",
    "issue.comment_get": "TODO",
    "issue.board_checkout_without_run": "TODO",
    "issue.delete": "TODO",
    "issue.heartbeat_context": "TODO",
    "issue.work_products": "TODO",
    "issue.runs": "TODO",
    "issue.checkout_adopt_own": "TODO",
    "issue.blockers": "TODO",
    "routine.activity_gate": "TODO",
    "runs.company_list": "TODO",
    "runs.live": "TODO",
    "runs.events_log_issues": "TODO",
    "runs.heartbeat_run": "TODO",
    "mcp.agent_key_run_header": "TODO",
    "mcp.parent_issue_id": "TODO",
    "unknown_routes": "TODO",
    "token_echo": "TODO",
}


def gap(key: str):
    return pytest.mark.xfail(strict=True, reason=f"open gap {key}: {GAPS[key]}")
