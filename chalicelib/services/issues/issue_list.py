"""GET /api/companies/{companyId}/issues (SPEC §4; upstream's query parameters: validators.md §9.7).

Order: priority (critical first), then most recently updated: the by-company index's sort order (the
by-parent index's, when `parentId` is given). Every page is exactly one Query of up to `limit` issues
(default 500, at most 1,000, as upstream) with the filters as a FilterExpression, so a page can come
back short while X-Next-Cursor says more remain; a page also stops before its JSON passes
PAGE_BUDGET_BYTES (a Lambda response is at most 6 MB).

Filters honoured (anything else the route does not declare is a 400 naming it): `status` (comma
list), `assigneeAgentId` (a UUID, or `null` for unassigned; anything else 422 as upstream),
`assigneeUserId` (`me` = the calling board user), `projectId`, `parentId` (or `parentIssueId`, the
same), `labelId`, `originKind`, `originId`, `updatedSince` (ISO timestamp; invalid 400) and `q`.
Hidden issues (`hiddenAt` set) and issues being deleted are never listed, as upstream.

`q` (logic/issue_search.py): DynamoDB has no text index, so a search page examines the issues of one
page in list order (up to `limit` of them and 1 MB, one Query) and returns those that match, best
match first; X-Next-Cursor continues the search over the next issues. A query that looks like an
identifier (`PAP-12`) also finds that issue directly on the first page, wherever it is in the list.
Upstream also matches comments and documents; we match title, identifier and description.

A company id that does not exist is 404 (read only when a first page comes back empty).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from chalicelib import response_size
from chalicelib.clock import iso
from chalicelib.errors import BadRequest, NotFound, Unprocessable
from chalicelib.ids import is_uuid
from chalicelib.logic import issue_search, issue_status
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import issue_lookup, issues
from chalicelib.store.companies import Company
from chalicelib.store.issues import Issue
from chalicelib.store.pages import Page, encode_cursor, query_page
from chalicelib.store.reads import get_many

LIMIT_DEFAULT, LIMIT_MAX = 500, 1000
PAGE_BUDGET_BYTES = response_size.PAGE_BUDGET  # bytes of JSON as the Lambda envelope carries it
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def list_for_company(principal: Principal, company_id: str, query: dict[str, str], limit: int, cursor: str | None) -> Page:
    authorize(principal, "issue.read", company_id, by_id=False)
    if not is_uuid(company_id):
        raise NotFound("Company not found")
    source, hash_key = _source(company_id, query)
    condition = _condition(principal, query)
    if source is Issue.by_parent:  # the by-parent index spans companies: only the path's company's children
        condition = condition & (Issue.company_id == company_id)
    search = issue_search.parse(query["q"]) if (query.get("q") or "").strip() else None
    page = query_page(source, hash_key, limit=limit, cursor=cursor, filter_condition=condition)
    if search is not None:
        page = _searched(page, search, company_id, cursor, query, source, hash_key)
    else:
        page = _within_budget(page, source)
    if not page.items and not cursor:
        _require_company(company_id)
    return page


def _source(company_id: str, query: dict[str, str]) -> tuple[Any, str]:
    parent = query.get("parentId") or None
    alias = query.get("parentIssueId") or None
    if parent and alias and parent != alias:
        raise BadRequest("parentId and parentIssueId name different issues", {"parentIssueId": alias})
    parent = parent or alias
    if parent is None:
        return Issue.by_company, company_id
    parent_id = issue_lookup.resolve_id(parent)
    return Issue.by_parent, parent_id or f"none:{parent}"  # an unknown parent lists nothing


def _condition(principal: Principal, query: dict[str, str]) -> Any:
    conditions = [Issue.hidden_at.does_not_exist(), Issue.deleting_at.does_not_exist()]
    try:
        statuses = issue_status.parse_status_filter(query.get("status"))
    except ValueError as exc:
        raise BadRequest("Invalid status filter", {"status": f"unknown status: {exc}",
                                                   "allowed": ", ".join(issue_status.STATUSES)})
    if statuses:
        conditions.append(Issue.status.is_in(*statuses))
    assignee = query.get("assigneeAgentId")
    if assignee:
        if assignee == "null":
            conditions.append(Issue.assignee_agent_id.does_not_exist())
        elif is_uuid(assignee.lower()):
            conditions.append(Issue.assignee_agent_id == assignee.lower())
        else:
            raise Unprocessable("assigneeAgentId must be a UUID or 'null'", {"assigneeAgentId": assignee})
    user = query.get("assigneeUserId")
    if user:
        if user == "me":
            if principal.is_agent:
                raise BadRequest("assigneeUserId=me is for board users", {"assigneeUserId": user})
            user = principal.id
        conditions.append(Issue.assignee_user_id.does_not_exist() if user == "null" else Issue.assignee_user_id == user)
    for param, attr in (("projectId", Issue.project_id), ("originKind", Issue.origin_kind), ("originId", Issue.origin_id)):
        if query.get(param):
            conditions.append(attr == query[param])
    for name in ("labelId", "label"):  # `label`: what paperclip-mcp's list_issues sends (upstream ignores it)
        if query.get(name):
            conditions.append(Issue.label_ids.contains(query[name].lower()))
    since = query.get("updatedSince")
    if since:
        conditions.append(Issue.updated_at >= _timestamp(since))
    condition = None
    for c in conditions:
        condition = c if condition is None else condition & c
    return condition


def _timestamp(raw: str) -> str:
    """`updatedSince` as our stored timestamps compare (ISO 8601 UTC, milliseconds, Z)."""
    if not _TIMESTAMP.match(raw):
        raise BadRequest("updatedSince must be an ISO 8601 timestamp", {"updatedSince": raw})
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest("updatedSince must be an ISO 8601 timestamp", {"updatedSince": raw})
    return iso(when if when.tzinfo else when.replace(tzinfo=timezone.utc))


def _cursor_after(item: Issue, source: Any) -> str | None:
    names = {"id": item.id, "list_sort": item.list_sort}
    if source is Issue.by_parent:
        names["parent_id"] = item.parent_id
    else:
        names["company_id"] = item.company_id
    return encode_cursor({k: {"S": v} for k, v in names.items()})


def _json_bytes(item: Issue) -> int:
    """The issue's list JSON in envelope bytes (chalicelib/response_size.py), with its comma."""
    return response_size.body_len(issues.to_json(item)) + 1


def _within_budget(page: Page, source: Any) -> Page:
    kept: list[Issue] = []
    total = 0
    for item in page.items:
        size = _json_bytes(item)
        if kept and total + size > PAGE_BUDGET_BYTES:
            return Page(items=kept, next_cursor=_cursor_after(kept[-1], source), resume_after=page.resume_after)
        kept.append(item)
        total += size
    return page


def _searched(page: Page, search: issue_search.Query, company_id: str, cursor: str | None, query: dict[str, str],
              source: Any, hash_key: str) -> Page:
    """The matches among the page's issues, best first. The issues examined stop before their JSON
    passes PAGE_BUDGET_BYTES (X-Next-Cursor then continues after the last one examined)."""
    direct = _by_identifier(search, company_id, query, hash_key if source is Issue.by_parent else None) \
        if cursor is None else None
    examined: list[Issue] = []
    total = _json_bytes(direct) if direct is not None else 0
    next_cursor = page.next_cursor
    for item in page.items:
        size = _json_bytes(item)
        if examined and total + size > PAGE_BUDGET_BYTES:
            next_cursor = _cursor_after(examined[-1], source)
            break
        total += size
        examined.append(item)
    ranked = issue_search.rank(search, [issue_search.Candidate(i.identifier, i.title, i.description, i.status)
                                        for i in examined])
    items = [examined[i] for i, _ in ranked]
    if direct is not None:
        items = [direct] + [i for i in items if i.id != direct.id]
    return Page(items=items, next_cursor=next_cursor)


# Filters `_by_identifier` can check on the one issue it reads; with any other, it is not used.
_DIRECT_FILTERS = {"status", "assigneeAgentId", "projectId", "parentId", "parentIssueId", "q", "limit", "cursor"}


def _by_identifier(search: issue_search.Query, company_id: str, query: dict[str, str], parent_id: str | None) -> Issue | None:
    """`q=PAP-12`: that issue, when it exists in this company, is visible and passes the filters."""
    if not issue_lookup.IDENTIFIER_RE.match(search.identifier) or set(k for k, v in query.items() if v) - _DIRECT_FILTERS:
        return None
    issue_id = issue_lookup.resolve_id(search.identifier)
    issue = get_many([(Issue, issue_id)])[(Issue, issue_id)] if issue_id else None
    if issue is None or issue.company_id != company_id or issue.hidden_at or issue.deleting_at:
        return None
    statuses = issue_status.parse_status_filter(query.get("status"))
    if statuses and issue.status not in statuses:
        return None
    assignee = query.get("assigneeAgentId")
    if assignee and (issue.assignee_agent_id is not None if assignee == "null"
                     else (issue.assignee_agent_id or "") != assignee.lower()):
        return None
    if query.get("projectId") and issue.project_id != query["projectId"]:
        return None
    if parent_id is not None and issue.parent_id != parent_id:
        return None
    return issue


def _require_company(company_id: str) -> None:
    if get_many([(Company, company_id)])[(Company, company_id)] is None:
        raise NotFound("Company not found")
