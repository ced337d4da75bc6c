"""GET /api/issues/{issueId} (SPEC §4; upstream's shape: validators.md §11): the issue with its project,
goal, ancestors (each with project and goal), blockers both ways (`blockedBy`, `blocks`: upstream's
IssueRelationIssueSummary, by title), documents (`planDocument`, `documentSummaries`,
`legacyPlanDocument`) and `workProducts`.

Requests: the issue (by id, or identifier then id), one GetItem per ancestor, one Query of the issue's
reverse blocker edges, one batch read for every project, goal and related issue together, one Query of
the documents (plus the plan's body when it lives in S3) and one Query of the work products.

Size (issue #11: a Lambda response is at most 6 MB): ancestors have upstream's shape (validators.md
§11: id, identifier, title, description, status, priority, assigneeAgentId, assigneeUserId, projectId,
goalId, project, goal), not the whole issue. The nearest ancestors come in full while the response
stays within response_size.RESPONSE_BUDGET; the ones beyond are abridged (`"abridged": true`,
`description` null, `project` and `goal` reduced to their id and name/title), which bounds 50
ancestors to ~150 KB whatever their descriptions (GET /issues/{ancestorId} has the rest). Room is
kept for every ancestor abridged; `documentSummaries` (the first 200 documents by key), `blocks` (the
first 100 dependents by id, sorted by title) and `workProducts` (up to 100, each up to ~180 KB escaped)
then hold the first that fit, in that order (response_size.in_order: a later list only when the
earlier ones are whole), and the nearest ancestors are given in full with what is left.
GET /issues/{id}/documents and /work-products page through the rest.
"""
from __future__ import annotations

from typing import Any

from chalicelib import response_size
from chalicelib.ids import is_uuid
from chalicelib.logic.legacy_plan import legacy_plan_document
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import issue_blockers, issue_documents, issue_lookup, issues, work_products
from chalicelib.services.org import planning
from chalicelib.store.issues import Issue
from chalicelib.store.planning import Goal, Project
from chalicelib.store.reads import get_many

WORK_PRODUCTS_SHOWN = 100


def detail(principal: Principal, ref: str) -> dict[str, Any]:
    issue = issue_lookup.get(principal, ref)
    chain = issues.ancestors_of(issue)
    blocked_by_ids = sorted(issue.blocked_by or ())
    blocks_ids = issue_blockers.blocks_ids(issue.id)
    keys: list[tuple[type, str]] = []
    for item in [issue, *chain]:
        if item.project_id and is_uuid(item.project_id):
            keys.append((Project, item.project_id))
        if item.goal_id and is_uuid(item.goal_id):
            keys.append((Goal, item.goal_id))
    keys += [(Issue, i) for i in blocked_by_ids + blocks_ids]
    found = get_many(keys)

    def project_json(item: Issue) -> dict[str, Any] | None:
        project = found.get((Project, item.project_id)) if item.project_id else None
        return planning.project_to_json(project) if project else None

    def goal_json(item: Issue) -> dict[str, Any] | None:
        goal = found.get((Goal, item.goal_id)) if item.goal_id else None
        return planning.goal_to_json(goal) if goal else None

    def summaries(ids: list[str]) -> list[dict[str, Any]]:
        related = [found.get((Issue, i)) for i in ids]
        return [issue_blockers.summary_json(r) for r in sorted(
            (r for r in related if r is not None and not r.deleting_at), key=lambda r: (r.title, r.id))]

    plan, document_summaries = issue_documents.plan_and_summaries_json(issue.id)
    body = issues.to_json(issue)
    body.update({
        "project": project_json(issue),
        "goal": goal_json(issue),
        "ancestors": [],
        "blockedBy": summaries(blocked_by_ids),
        "blocks": [],
        "planDocument": plan,
        "documentSummaries": [],
        "legacyPlanDocument": legacy_plan_document(issue.description, plan is not None),
        "workProducts": [],
    })
    blocks = summaries(blocks_ids)
    full = [_ancestor_json(a, project_json(a), goal_json(a)) for a in chain]
    abridged = sum(response_size.body_len(_abridged(a)) + 1 for a in full)  # kept for the ancestors in any case
    room = response_size.RESPONSE_BUDGET - response_size.body_len(body) - abridged
    products = [work_products.to_json(p) for p in work_products.for_issue(issue.id, WORK_PRODUCTS_SHOWN)]
    # Then, in this order, what fits: document summaries (up to 200, ~2.8 KB each at most), the issues
    # this one blocks (up to 100, ~6 KB each), work products (up to 100: can reach ~18 MB).
    # A later list only once the earlier ones are whole; what is left goes to the ancestors.
    (body["documentSummaries"], body["blocks"], body["workProducts"]), room = response_size.in_order(
        [document_summaries, blocks, products], room)
    body["ancestors"] = _within_budget(full, room + abridged)
    return body


ANCESTOR_FIELDS = {"id": "id", "identifier": "identifier", "title": "title", "description": "description",
                   "status": "status", "priority": "priority", "assigneeAgentId": "assignee_agent_id",
                   "assigneeUserId": "assignee_user_id", "projectId": "project_id", "goalId": "goal_id"}


def _ancestor_json(issue: Issue, project: dict[str, Any] | None, goal: dict[str, Any] | None) -> dict[str, Any]:
    """Upstream's ancestor shape (validators.md §11)."""
    return {**{name: getattr(issue, attr, None) for name, attr in ANCESTOR_FIELDS.items()}, "project": project, "goal": goal}


def _abridged(ancestor: dict[str, Any]) -> dict[str, Any]:
    project, goal = ancestor["project"], ancestor["goal"]
    return {**ancestor, "description": None, "abridged": True,
            "project": {"id": project["id"], "name": project["name"]} if project else None,
            "goal": {"id": goal["id"], "title": goal["title"]} if goal else None}


def _within_budget(full: list[dict[str, Any]], room: int) -> list[dict[str, Any]]:
    """Nearest first: every ancestor abridged, then as many of the nearest as fit `room` bytes of
    envelope in full (module docstring)."""
    out = [_abridged(a) for a in full]
    room -= sum(response_size.body_len(a) + 1 for a in out)
    for i, ancestor in enumerate(full):
        extra = response_size.body_len(ancestor) - response_size.body_len(out[i])
        if extra > room:
            break
        out[i], room = ancestor, room - extra
    return out
