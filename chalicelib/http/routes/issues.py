"""Issues API routes (SPEC §4; upstream's issue routes the clients call: docs/compatibility.md "Issues",
"Comments"), except documents, attachments and work products (issue_files.py)."""
from chalice import Blueprint

from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.params import PAGING, comma_separated, limit, page_reply, param
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.logic import issue_status
from chalicelib.services.issues import (
    heartbeat_context, inbox, issue_blockers, issue_checkout, issue_comments, issue_create, issue_delete, issue_detail,
    issue_list, issue_updates, issues,
)

bp = Blueprint(__name__)
schemas = SchemaModule("issues")  # chalicelib/http/schemas/issues.py, imported on first use
TAG = "Issues"
REF = "UUID or identifier (PAP-12, case-insensitive)"
LIST_QUERY = {
    "status": param("comma-separated statuses", **comma_separated(issue_status.STATUSES)),
    "assigneeAgentId": "filter by assignee: an agent id, or `null` for unassigned issues (anything else is 422)",
    "assigneeUserId": "filter by assigned user (`me`: the calling board user; `null`: none)",
    "projectId": "filter by project",
    "parentId": "filter by parent issue (id or identifier)",
    "parentIssueId": "same as parentId",
    "labelId": "filter by one of the issue's labelIds",
    "label": "same as labelId (paperclip-mcp's list_issues sends `label`; upstream ignores it)",
    "originKind": "filter by origin kind (manual, routine_execution)",
    "originId": "filter by origin id (the routine of routine executions)",
    "updatedSince": param("only issues updated at or after this ISO 8601 time", format="date-time"),
    "q": "text search in title, identifier and description (a page examines `limit` issues: see X-Next-Cursor)",
    "limit": param("page size (clamped to 1..1000, default 500)", type="integer"),
    "cursor": PAGING["cursor"],
}
COMMENT_QUERY = {
    "order": param("asc: oldest first; anything else: newest first (default)"),
    "after": "a comment id of this issue: only comments after it (asc) or before it (desc); another value gives []",
    "afterCommentId": "same as after",
    "limit": param("page size (clamped to 1..500, default 500; a page also stops before 4 MB)", type="integer"),
    "cursor": PAGING["cursor"],
}


def _created(result: issue_create.Created) -> Reply:
    body = issues.to_json(result.issue)
    if result.deduplication_reason:  # upstream's duplicate guard: the existing issue, 200
        return Reply(body={**body, "deduplicated": True, "deduplicationReason": result.deduplication_reason}, status=200)
    return Reply(body=body, status=201)


@route(bp, "/companies/{companyId}/issues", "POST", action="issue.write", tag=TAG, body=schemas.IssueCreate,
       response=schemas.CreatedIssueOut, status=201, also_succeeds_with=(200,),
       summary="Create an issue (200 with deduplicated: true when an idempotencyKey or allowDuplicate: false finds one)")
def create_issue(ctx: RequestContext, companyId: str):
    return _created(issue_create.create(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/issues", "GET", action="issue.read",
       summary="List issues: critical to low, then most recently updated first (q: best match first)", tag=TAG,
       response=list[schemas.IssueOut], query=LIST_QUERY)
def list_issues(ctx: RequestContext, companyId: str):
    page = issue_list.list_for_company(ctx.principal, companyId, ctx.query,
                                       limit(ctx, issue_list.LIMIT_DEFAULT, 1,
       issue_list.LIMIT_MAX), ctx.query.get("cursor"))
    return page_reply(page, issues.to_json)


@route(bp, "/issues/{issueId}", "GET", action="issue.read", tag=TAG, response=schemas.IssueDetailOut,
       summary=f"Get an issue with project, goal, ancestors, blockers, documents and work products ({REF})")
def get_issue(ctx: RequestContext, issueId: str):
    return issue_detail.detail(ctx.principal, issueId)


@route(bp, "/issues/{issueId}", "PATCH", action="issue.write", tag=TAG, body=schemas.IssueUpdate,
       response=schemas.PatchedIssueOut,
       summary="Update an issue (optionally adding a comment); `Prefer: return=minimal` answers only the receipt")
def update_issue(ctx: RequestContext, issueId: str):
    result = issue_updates.update(ctx.principal, issueId, ctx.body, ctx.now)
    comment = issue_comments.to_json(result.comment) if result.comment is not None else None
    if "return=minimal" in (ctx.headers.get("prefer") or "").replace(" ", "").lower():
        return Reply(body={"id": result.issue.id, "identifier": result.issue.identifier,
                           "updatedAt": result.issue.updated_at, "changes": result.changes, "comment": comment},
                     headers={"Preference-Applied": "return=minimal"})
    body = issues.to_json(result.issue)
    if "blockedByIssueIds" in ctx.body:  # upstream adds the relations when the request set them
        body.update(dict(zip(("blockedBy", "blocks"), issue_blockers.relations_json(result.issue))))
    return {**body, "changes": result.changes, "comment": comment}


@route(bp, "/issues/{issueId}", "DELETE", action="issue.delete", tag=TAG, response=schemas.IssueOut,
       summary="Delete an issue with its comments, documents, attachments, work products and relations (409 while it has children)")
def delete_issue(ctx: RequestContext, issueId: str):
    return issues.to_json(issue_delete.delete(ctx.principal, issueId, ctx.now))


@route(bp, "/issues/{issueId}/children", "POST", action="issue.write", tag=TAG, body=schemas.ChildIssueCreate,
       response=schemas.CreatedIssueOut, status=201, also_succeeds_with=(200,),
       summary="Create a sub-issue (project and goal default to the parent's; blockParentUntilDone blocks the parent)")
def create_child(ctx: RequestContext, issueId: str):
    return _created(issue_create.create_child(ctx.principal, issueId, ctx.body, ctx.now))


@route(bp, "/issues/{issueId}/checkout", "POST", action="issue.checkout", tag=TAG, body=schemas.CheckoutRequest,
       response=schemas.IssueOut,
       summary="Check out an issue for a heartbeat run (the run of the JWT or X-Paperclip-Run-Id; the board may name none)")
def checkout_issue(ctx: RequestContext, issueId: str):
    header_run_id = (ctx.headers.get("x-paperclip-run-id") or "").strip() or None
    issue = issue_checkout.checkout(ctx.principal, issueId, ctx.body["agentId"], ctx.body["expectedStatuses"],
                                    header_run_id, ctx.now)
    return issues.to_json(issue)


@route(bp, "/issues/{issueId}/release", "POST", action="issue.release", tag=TAG, response=schemas.IssueOut,
       summary="Release an issue: unassigned, checkout cleared, in_progress back to todo (other statuses stay)")
def release_issue(ctx: RequestContext, issueId: str):
    return issues.to_json(issue_checkout.release(ctx.principal, issueId, ctx.now))


@route(bp, "/issues/{issueId}/comments", "GET", action="issue.read", tag=TAG, response=list[schemas.CommentOut],
       query=COMMENT_QUERY, summary="List an issue's comments, newest first unless order=asc")
def list_comments(ctx: RequestContext, issueId: str):
    anchor = ctx.query.get("after") or ctx.query.get("afterCommentId")
    page = issue_comments.list_comments(
        ctx.principal, issueId, order=ctx.query.get("order"), anchor=anchor,
        limit=limit(ctx, issue_comments.LIST_DEFAULT, 1, issue_comments.LIST_MAX), cursor=ctx.query.get("cursor"))
    return page_reply(page, issue_comments.to_json)


@route(bp, "/issues/{issueId}/comments/{commentId}", "GET", action="issue.read", tag=TAG, response=schemas.CommentOut,
       summary="Get one comment of an issue")
def get_comment(ctx: RequestContext, issueId: str, commentId: str):
    return issue_comments.to_json(issue_comments.get_comment(ctx.principal, issueId, commentId))


@route(bp, "/issues/{issueId}/comments", "POST", action="issue.write", tag=TAG, body=schemas.CommentCreate,
       response=schemas.CommentOut,
       status=201, summary="Comment on an issue (mentions wake agents; reopen/resume reopen a closed issue)")
def add_comment(ctx: RequestContext, issueId: str):
    return issue_comments.to_json(issue_comments.create_comment(ctx.principal, issueId, ctx.body, ctx.now))


@route(bp, "/issues/{issueId}/heartbeat-context", "GET", action="issue.read", tag=TAG,
       query={"wakeCommentId": "a comment of this issue to return as wakeComment"},
       summary="What an agent needs about an issue at the start of a heartbeat (upstream's compact context)")
def get_heartbeat_context(ctx: RequestContext, issueId: str):
    return heartbeat_context.context(ctx.principal, issueId, ctx.query.get("wakeCommentId"))


@route(bp, "/agents/me/inbox-lite", "GET", action="agent.me", tag=TAG, response=list[schemas.InboxItemOut],
       summary="The calling agent's open issues (todo, in_progress, blocked), compact, with blocker readiness")
def inbox_lite(ctx: RequestContext):
    return inbox.inbox_lite(ctx.principal, ctx.now)
