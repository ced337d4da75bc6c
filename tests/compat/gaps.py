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
    'company.budget': (
        'companies (org): PATCH /api/companies/{id} {budgetMonthlyCents, requireBoardApprovalForNewAgents} → '
        '400 unknown fields; upstream stores them and returns them on Company'
    ),
    'company.delete': (
        "companies (org): DELETE /api/companies/{id} (CLI company delete) → 405; needs upstream's delete (any"
        ' 2xx; the CLI prints its own {ok, deletedCompanyId…})'
    ),
    'agent.create': (
        "agents (runtime): POST /api/companies/{cid}/agents as the CLI sends it {name, role:'general', "
        "adapterType:'process', adapterConfig:{}, runtimeConfig:{}, budgetMonthlyCents:0} → 400 "
        'adapterType/adapterConfig/runtimeConfig/budgetMonthlyCents unknown; needs them accepted, stored and '
        'returned'
    ),
    'agent.update_status': (
        "agents (runtime): PATCH /api/agents/{id} {title, status:'paused'} (CLI agent update) → 400 status "
        'unknown'
    ),
    'agent.delete': (
        'agents (runtime): DELETE /api/agents/{id} (CLI agent delete --yes) → 405'
    ),
    'agent.me_shape': (
        'agents (runtime): GET /api/agents/me lacks urlKey, chainOfCommand, budgetMonthlyCents, '
        'spentMonthlyCents (SKILL.md Step 1 reads them)'
    ),
    'agent.inbox_lite': (
        'agents (runtime): GET /api/agents/me/inbox-lite (CLI agent inbox, SKILL.md Step 3) → no such route: '
        "Chalice's 403 {message: 'Authorization header requires …'} (see unknown_routes); needs an array of "
        'compact assigned issues (todo, in_progress, blocked)'
    ),
    'agent.wakeup': (
        "agents (runtime): POST /api/agents/{id}/wakeup {source:'on_demand', triggerDetail:'manual', "
        "forceFreshSession:false} (CLI agent wake) → no such route: Chalice's 403 {message: 'Authorization "
        "header requires …'} (see unknown_routes); and GET /api/agents/alice?companyId= shortname lookup → "
        '404'
    ),
    'agent.shortname': (
        'agents (runtime): GET /api/agents/{shortname}?companyId={cid} (CLI agent local-cli alice, token '
        "agent --agent alice, board prompt) → 404 Agent not found; needs upstream's url-key lookup and urlKey"
        ' on the agent'
    ),
    'agent.key_scope': (
        "agents (runtime): POST /api/agents/{id}/keys {name, scope:{kind:'standard'}} (CLI token agent "
        'create, connect) → 400 scope unknown'
    ),
    'agent.prompt': (
        'issues + runtime: board prompt creates the issue with workMode/requestDepth/allowDuplicate (→ 400, '
        'see issue.create_defaults) and agent prompt --issue comments with {body, resume} (→ 400 resume '
        'unknown); both then POST /api/agents/{id}/wakeup (no route)'
    ),
    'project.fields': (
        'projects (org): POST /api/companies/{cid}/projects with goalId, leadAgentId, targetDate, color, env,'
        ' executionWorkspacePolicy (CLI project create flags) → 400 unknown fields; PATCH likewise with '
        'archivedAt'
    ),
    'project.shortname': (
        'projects (org): GET /api/projects/{urlKey}?companyId={cid} (CLI project get launch -C) → 404 Project'
        ' not found; needs url-key lookup'
    ),
    'project.delete': (
        'projects (org): DELETE /api/projects/{id} (CLI project delete --yes) → 405'
    ),
    'goal.level_task': (
        "goals (org): POST /api/companies/{cid}/goals {title, level:'task', status:'planned'} (CLI goal "
        'create without --level) → 400 level must be company|team|agent'
    ),
    'goal.owner': (
        'goals (org): POST /api/companies/{cid}/goals with ownerAgentId (CLI --owner-agent-id) → 400 unknown '
        'field'
    ),
    'goal.delete': (
        'goals (org): DELETE /api/goals/{id} (CLI goal delete --yes) → 405'
    ),
    'issue.create_defaults': (
        "issues: POST /api/companies/{cid}/issues as the CLI always sends it {…, workMode:'standard', "
        'requestDepth:0, allowDuplicate:false} → 400 unknown fields (every `issue create` fails)'
    ),
    'issue.update_fields': (
        'issues: PATCH /api/issues/{id} {requestDepth, hiddenAt} (CLI issue update --request-depth / '
        '--hidden-at) → 400 unknown fields'
    ),
    'issue.comment_flags': (
        'issues: POST /api/issues/{id}/comments {body, attachmentIds, reopen, resume} (CLI issue comment '
        'flags, MCP comment_on_issue reopen=True) → 400 unknown fields'
    ),
    'issue.comments_order': (
        'issues: GET /api/issues/{id}/comments returns oldest first and ignores afterCommentId/after/order '
        '(CLI issue comments, SKILL.md Step 6 incremental read); upstream: newest first by default, strict '
        'anchor, order=asc'
    ),
    'issue.comment_get': (
        'issues: GET /api/issues/{id}/comments/{commentId} (CLI comment:get, SKILL.md wake comment) → no such'
        " route: Chalice's 403 {message: 'Authorization header requires …'} (see unknown_routes)"
    ),
    'issue.board_checkout_without_run': (
        'issues: POST /api/issues/{id}/checkout {agentId, expectedStatuses} by the board without '
        "X-Paperclip-Run-Id (CLI issue checkout --agent-id) → 400 'needs the X-Paperclip-Run-Id header'; "
        'upstream checks out with checkoutRunId null (issue 14 item 9: decide and document; if we keep the '
        '400, this test must assert it)'
    ),
    'issue.delete': (
        'issues: DELETE /api/issues/{id} (CLI issue delete --yes, MCP delete_issue) → 405'
    ),
    'issue.heartbeat_context': (
        'issues: GET /api/issues/{id}/heartbeat-context (CLI issue heartbeat-context, SKILL.md Step 6) → no '
        "such route: Chalice's 403 {message: 'Authorization header requires …'} (see unknown_routes)"
    ),
    'issue.work_products': (
        'issues: POST|GET /api/issues/{id}/work-products, PATCH|DELETE /api/work-products/{id} (CLI '
        "work-product:*, the skill's upload script by default) → no such route: Chalice's 403 {message: "
        "'Authorization header requires …'} (see unknown_routes); the script then prints the agent's JWT to "
        'stderr'
    ),
    'issue.runs': (
        'issues/runtime: GET /api/issues/{id}/runs|live-runs|active-run (CLI issue runs/live-runs/active-run)'
        " → no such route: Chalice's 403 {message: 'Authorization header requires …'} (see unknown_routes)"
    ),
    'issue.checkout_adopt_own': (
        'issues: POST checkout {agentId, expectedStatuses:[todo,backlog,blocked,in_review]} from a NEW run of'
        ' the assignee on its own in_progress issue whose checkout run finished → 409; upstream adopts the '
        'stale lock whatever expectedStatuses says (SKILL.md never retries a 409)'
    ),
    'issue.blockers': (
        'issues: POST issues / PATCH /api/issues/{id} with blockedByIssueIds (SKILL.md blockers, Step 9) → '
        '400 unknown field; needs blockedBy/blocks on the response'
    ),
    'routine.activity_gate': (
        'routines (org): POST /api/companies/{cid}/routines with activityGatePolicy/activityGateScope '
        '(references/routines.md) → 400 unknown fields'
    ),
    'runs.company_list': (
        'runs (runtime): GET /api/companies/{cid}/heartbeat-runs?agentId=&limit=, GET '
        '/api/heartbeat-runs/{id}, POST /api/heartbeat-runs/{id}/cancel (CLI run list/get/cancel) → no such '
        "route: Chalice's 403 {message: 'Authorization header requires …'} (see unknown_routes)"
    ),
    'runs.live': (
        "runs (runtime): GET /api/companies/{cid}/live-runs?limit= (CLI run live) → no such route: Chalice's "
        "403 {message: 'Authorization header requires …'} (see unknown_routes)"
    ),
    'runs.events_log_issues': (
        'runs (runtime): GET /api/heartbeat-runs/{id}/events|log|issues (CLI run events/log/issues) → no such'
        " route: Chalice's 403 {message: 'Authorization header requires …'} (see unknown_routes)"
    ),
    'runs.heartbeat_run': (
        "runs (runtime): CLI heartbeat run -a: POST /api/agents/{id}/wakeup → no such route: Chalice's 403 "
        "{message: 'Authorization header requires …'} (see unknown_routes); then needs /events [], the "
        "company's heartbeat-runs?agentId= listing the run, /log 404 or JSON"
    ),
    'mcp.agent_key_run_header': (
        'auth (runtime): paperclip-mcp with an agent key sends a random X-Paperclip-Run-Id on every request →'
        " 403 'Run id does not belong to this agent', reads included; reads must ignore it (SPEC §2 as "
        'rewritten by issue 14 rule 3)'
    ),
    'mcp.parent_issue_id': (
        'issues: POST /api/companies/{cid}/issues {title, priority, parentIssueId} (MCP create_issue '
        'parent_issue_id) → 400 unknown field; issue 14: accept as an alias of parentId'
    ),
    'unknown_routes': (
        "route wrapper (org): an unknown path answers Chalice's 403 {message: 'Missing Authentication Token' "
        "| 'Authorization header requires …'} and an unknown method Chalice's 405 {Code, Message}; needs 404 "
        "{error:'Not found'} / 405 {error} + Allow (the CLI prints 'API error 404: Not found')"
    ),
    'token_echo': (
        "route wrapper (org): the 403 body for an unknown path quotes 'Authorization=Bearer <the caller's "
        "key>'; the CLI prints it to stderr and paperclip-mcp into its result"
    ),
}


def gap(key: str):
    return pytest.mark.xfail(strict=True, reason=f"open gap {key}: {GAPS[key]}")
