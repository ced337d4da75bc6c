"""GET /api/issues/{issueId}/heartbeat-context (upstream: validators.md §9.2, skill.md Step 6a): what an
agent needs about an issue at the start of a heartbeat, without replaying the whole thread.

`{issue, ancestors, project, goal, commentCursor, wakeComment, attachments, continuationSummary,
planReviewContext, documentReviewContext, currentExecutionWorkspace}` in upstream's shape. What we do
not have is null: scheduled retries, recovery actions, plan/document review contexts and execution
workspaces. `issue.goalId` falls back to the project's first goal, as upstream falls back to the
project's goal. `commentCursor.totalComments` is the issue's comment count; `wakeComment` is the
comment `?wakeCommentId=` names when it belongs to this issue (else null). `attachments`: the issue's
files in upload order, at most MAX_ATTACHMENTS. `continuationSummary`: the `continuation-summary`
document, when there is one.

Size (issue 11): the issue (description up to ~1.2 MB escaped), its ancestors' titles, project, goal and
comment cursor always come whole. What else can be large fills what is left of
response_size.RESPONSE_BUDGET in this order, a later part only once the earlier ones are whole: the wake
comment, the continuation summary's body (up to 4 MiB escaped), the issues this one blocks (up to
issue_blockers.BLOCKS_SHOWN), the attachments. A wake comment or summary body that does not fit comes
without its body (`body: null`, `bodyOmitted: true`: ours, not upstream's; GET the comment or the
document for it); lists keep the first that fit.
"""
from __future__ import annotations

from typing import Any

from chalicelib import response_size
from chalicelib.ids import is_uuid
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import attachments, issue_blockers, issue_comments, issue_documents, issue_lookup, issues
from chalicelib.services.org import planning
from chalicelib.store.attachments import Attachment
from chalicelib.store.issues import Issue
from chalicelib.store.planning import Goal, Project
from chalicelib.store.reads import get_many

MAX_ATTACHMENTS = 100
CONTINUATION_KEY = "continuation-summary"


def context(principal: Principal, ref: str, wake_comment_id: str | None) -> dict[str, Any]:
    issue = issue_lookup.get(principal, ref)
    chain = issues.ancestors_of(issue)
    blocks_ids = issue_blockers.blocks_ids(issue.id)
    blocked_by_ids = sorted(issue.blocked_by or ())
    keys: list[tuple[type, str]] = [(Issue, i) for i in blocked_by_ids + blocks_ids]
    if issue.project_id and is_uuid(issue.project_id):
        keys.append((Project, issue.project_id))
    if issue.goal_id and is_uuid(issue.goal_id):
        keys.append((Goal, issue.goal_id))
    found = get_many(keys)
    project = found.get((Project, issue.project_id)) if issue.project_id else None
    goal_id = issue.goal_id
    if goal_id is None and project is not None and project.goal_ids:
        goal_id = list(project.goal_ids)[0]
    goal = found.get((Goal, goal_id)) if goal_id else None
    if goal is None and goal_id and is_uuid(goal_id):
        goal = get_many([(Goal, goal_id)])[(Goal, goal_id)]

    def summaries(ids: list[str]) -> list[dict[str, Any]]:
        related = [found.get((Issue, i)) for i in ids]
        return [issue_blockers.summary_json(r) for r in sorted(
            (r for r in related if r is not None and not r.deleting_at), key=lambda r: (r.title, r.id))]

    latest = issue_comments.latest(issue.id)
    wake = issue_comments.find_by_id(wake_comment_id) if wake_comment_id else None
    body = {
        "issue": {
            "id": issue.id, "identifier": issue.identifier, "title": issue.title, "description": issue.description,
            "status": issue.status, "workMode": issue.work_mode or "standard", "scheduledRetry": None,
            "activeRecoveryAction": None, "priority": issue.priority, "projectId": issue.project_id,
            "goalId": goal_id, "parentId": issue.parent_id, "blockedBy": summaries(blocked_by_ids),
            "blocks": [], "assigneeAgentId": issue.assignee_agent_id,
            "assigneeUserId": issue.assignee_user_id, "originKind": issue.origin_kind, "originId": issue.origin_id,
            "updatedAt": issue.updated_at,
        },
        "ancestors": [{"id": a.id, "identifier": a.identifier, "title": a.title, "status": a.status,
                       "priority": a.priority} for a in chain],
        "project": _project(project),
        "goal": {"id": goal.id, "title": goal.title, "status": goal.status, "level": goal.level,
                 "parentId": goal.parent_id} if goal is not None else None,
        "commentCursor": {"totalComments": issue_comments.count(issue),
                          "latestCommentId": latest.id if latest else None,
                          "latestCommentAt": latest.created_at if latest else None},
        "wakeComment": None,
        "attachments": [],
        "continuationSummary": None,
        "planReviewContext": None,
        "documentReviewContext": None,
        "currentExecutionWorkspace": None,
    }
    # What can be large, in order (module docstring): each part whole while it fits, else cut.
    wake_json = issue_comments.to_json(wake) if wake is not None and wake.issue_id == issue.id else None
    files = [_attachment(a) for a in Attachment.by_issue.query(issue.id, limit=MAX_ATTACHMENTS, page_size=MAX_ATTACHMENTS)]
    (body["wakeComment"], body["continuationSummary"], body["issue"]["blocks"], body["attachments"]), _ = \
        response_size.in_order([wake_json, _continuation(issue.id), summaries(blocks_ids), files],
                                response_size.RESPONSE_BUDGET - response_size.body_len(body), _shortened)
    return body


def _shortened(value: Any, room: int) -> Any:
    """A part that does not fit `room`: a list's leading items, an object without its body."""
    if value is None:
        return None
    if isinstance(value, list):
        return response_size.leading(value, room)
    return {**value, "body": None, "bodyOmitted": True}


def _project(project: Project | None) -> dict[str, Any] | None:
    if project is None:
        return None
    body = planning.project_to_json(project)
    return {"id": body["id"], "name": body["name"], "status": body["status"], "targetDate": body.get("targetDate")}


def _attachment(attachment: Attachment) -> dict[str, Any]:
    body = attachments.to_json(attachment)
    return {"id": body["id"], "filename": body["originalFilename"], "contentType": body["contentType"],
            "byteSize": body["byteSize"], "contentPath": body["contentPath"], "createdAt": body["createdAt"]}


def _continuation(issue_id: str) -> dict[str, Any] | None:
    document = issue_documents.find_json(issue_id, CONTINUATION_KEY)
    if document is None:
        return None
    return {"key": CONTINUATION_KEY, "title": document["title"], "body": document["body"],
            "latestRevisionId": document["latestRevisionId"], "latestRevisionNumber": document["latestRevisionNumber"],
            "updatedAt": document["updatedAt"], "sourceTrust": None}
