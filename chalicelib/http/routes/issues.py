"""Issues API routes (SPEC §4), except documents and attachments (their own routes file)."""
from chalice import Blueprint

from chalicelib.http.api import RequestContext, route
from chalicelib.http.params import PAGING, comma_separated, limit, page_reply, param
from chalicelib.http.schemas.issues import (
    CheckoutRequest, CommentCreate, CommentOut, IssueCreate, IssueDetailOut, IssueOut, IssueStatus, IssueUpdate,
)
from chalicelib.services.issues import issue_checkout, issue_comments, issue_updates, issues

bp = Blueprint(__name__)
TAG = "Issues"
REF = "UUID or identifier (PAP-12, case-insensitive)"


@route(bp, "/companies/{companyId}/issues", "POST", action="issue.write", summary="Create an issue", tag=TAG, body=IssueCreate,
       response=IssueOut, status=201)
def create_issue(ctx: RequestContext, companyId: str):
    return issues.to_json(issues.create(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/issues", "GET", action="issue.read",
       summary="List issues: critical to low, then most recently updated first", tag=TAG, response=list[IssueOut],
       query={"status": param("comma-separated statuses", **comma_separated(IssueStatus)), "assigneeAgentId": "filter by assignee",
              "projectId": "filter by project", "parentId": "filter by parent issue id", **PAGING})
def list_issues(ctx: RequestContext, companyId: str):
    page = issues.list_for_company(ctx.principal, companyId, ctx.query, limit(ctx), ctx.query.get("cursor"))
    return page_reply(page, issues.to_json)


@route(bp, "/issues/{issueId}", "GET", action="issue.read", summary=f"Get an issue with project, goal, ancestors and documents ({REF})",
       tag=TAG, response=IssueDetailOut)
def get_issue(ctx: RequestContext, issueId: str):
    return issues.detail(ctx.principal, issueId)


@route(bp, "/issues/{issueId}", "PATCH", action="issue.write", summary="Update an issue (optionally adding a comment)", tag=TAG,
       body=IssueUpdate, response=IssueOut)
def update_issue(ctx: RequestContext, issueId: str):
    return issues.to_json(issue_updates.update(ctx.principal, issueId, ctx.body, ctx.now))


@route(bp, "/issues/{issueId}/checkout", "POST", action="issue.checkout",
       summary="Check out an issue for a heartbeat run (run from the JWT or X-Paperclip-Run-Id)", tag=TAG,
       body=CheckoutRequest, response=IssueOut)
def checkout_issue(ctx: RequestContext, issueId: str):
    header_run_id = (ctx.headers.get("x-paperclip-run-id") or "").strip() or None
    issue = issue_checkout.checkout(ctx.principal, issueId, ctx.body["agentId"], ctx.body["expectedStatuses"],
                                    header_run_id, ctx.now)
    return issues.to_json(issue)


@route(bp, "/issues/{issueId}/release", "POST", action="issue.release", summary="Release an issue: back to todo, unassigned", tag=TAG,
       response=IssueOut)
def release_issue(ctx: RequestContext, issueId: str):
    return issues.to_json(issue_checkout.release(ctx.principal, issueId, ctx.now))


@route(bp, "/issues/{issueId}/comments", "GET", action="issue.read", summary="List an issue's comments, oldest first", tag=TAG,
       response=list[CommentOut], query=PAGING)
def list_comments(ctx: RequestContext, issueId: str):
    page = issue_comments.list_comments(ctx.principal, issueId, limit(ctx), ctx.query.get("cursor"))
    return page_reply(page, issue_comments.to_json)


@route(bp, "/issues/{issueId}/comments", "POST", action="issue.write", summary="Comment on an issue (@Name mentions wake agents)", tag=TAG,
       body=CommentCreate, response=CommentOut, status=201)
def add_comment(ctx: RequestContext, issueId: str):
    return issue_comments.to_json(issue_comments.create_comment(ctx.principal, issueId, ctx.body["body"], ctx.now))
