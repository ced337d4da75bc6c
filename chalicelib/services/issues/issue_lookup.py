"""Finding an issue by UUID or identifier (`PAP-12`, case-insensitive), with visibility applied."""
from __future__ import annotations

import re

from chalicelib.errors import NotFound
from chalicelib.ids import is_uuid
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.store.issues import Issue
from chalicelib.store.uniques import UniqueKey, issue_identifier_key

IDENTIFIER_RE = re.compile(r"^[A-Za-z]{3}[0-9]*-[0-9]{1,12}$")


def find(ref: str, *, deleting: bool = False) -> Issue:
    """The issue named by `ref`, read consistently; NotFound for anything else (bad shapes included).
    An issue a DELETE has started on reads as missing, except to a DELETE (`deleting`), which finishes it."""
    issue_id = ref if is_uuid(ref) else None
    if issue_id is None and IDENTIFIER_RE.match(ref or ""):
        try:
            issue_id = UniqueKey.get(issue_identifier_key(ref), consistent_read=True).ref
        except UniqueKey.DoesNotExist:
            issue_id = None
    if issue_id is None:
        raise NotFound("Issue not found")
    try:
        issue = Issue.get(issue_id, consistent_read=True)
    except Issue.DoesNotExist:
        raise NotFound("Issue not found")
    if issue.deleting_at and not deleting:
        raise NotFound("Issue not found")
    return issue


def resolve_id(ref: str) -> str | None:
    """A UUID or identifier -> the issue id it names (None when it names nothing); no issue read."""
    if is_uuid(ref):
        return ref
    if IDENTIFIER_RE.match(ref or ""):
        try:
            return UniqueKey.get(issue_identifier_key(ref), consistent_read=True).ref
        except UniqueKey.DoesNotExist:
            return None
    return None


def get(principal: Principal, ref: str, action: str = "issue.read", *, deleting: bool = False) -> Issue:
    """The issue, if `action` on it is allowed (another company's issue is 404, as if missing)."""
    issue = find(ref, deleting=deleting)
    authorize(principal, action, issue.company_id, what="Issue")
    return issue
