"""Issues. Identifiers (`PAP-12`) resolve through a guarded key in the uniques table, written in the
same transaction as the issue, so a lookup right after creation is strongly consistent.

Fields upstream Paperclip defines that carry behaviour here have attributes of their own (work mode,
request depth, hiddenAt, labels, blockers, user attribution); the ones we only store and return as
given live in `passthrough` (camelCase name -> the JSON value the client sent), bounded in size by the
issues service so the item stays far below DynamoDB's 400 KB.
"""
from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta

PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_MAX_MS = 10**13


def list_sort_key(priority: str, updated_at_ms: int, issue_id: str) -> str:
    """Priority first, then most recently updated: ascending order of this key is the list order."""
    return f"{PRIORITY_RANK[priority]}#{_MAX_MS - updated_at_ms:013d}#{issue_id}"


class IssuesByCompany(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    list_sort = UnicodeAttribute(range_key=True)


class IssuesByAssignee(GlobalSecondaryIndex):
    """Sparse: only assigned issues. An agent's work in list order (its inbox; what terminating it frees)."""

    class Meta:
        index_name = "by-assignee"
        projection = AllProjection()

    assignee_agent_id = UnicodeAttribute(hash_key=True)
    list_sort = UnicodeAttribute(range_key=True)


class IssuesByParent(GlobalSecondaryIndex):
    """Sparse: only sub-issues. An issue's children in list order (the `parentId` filter; DELETE refuses
    an issue that still has children)."""

    class Meta:
        index_name = "by-parent"
        projection = AllProjection()

    parent_id = UnicodeAttribute(hash_key=True)
    list_sort = UnicodeAttribute(range_key=True)


class Issue(BaseModel):
    Meta = meta("issues")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    identifier = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    assignee_agent_id = UnicodeAttribute(null=True)
    checkout_run_id = UnicodeAttribute(null=True)
    project_id = UnicodeAttribute(null=True)
    goal_id = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    billing_code = UnicodeAttribute(null=True)
    origin_kind = UnicodeAttribute(null=True)
    origin_id = UnicodeAttribute(null=True)
    origin_run_id = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)
    cancelled_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    list_sort = UnicodeAttribute()
    # Bumped by every write of the issues API, which is conditioned on the value it read: concurrent
    # PATCH / checkout / release calls cannot silently overwrite each other. Absent on issues written
    # by other paths (routine dispatch); the first API write sets it to 1.
    version = NumberAttribute(null=True)

    # Upstream's fields (validators.md §5.1/§5.2). Absent on items written before them: read as defaults.
    work_mode = UnicodeAttribute(null=True)  # standard | ask | planning | skill_test (absent: standard)
    request_depth = NumberAttribute(null=True)  # 0..1024 (absent: 0)
    hidden_at = UnicodeAttribute(null=True)  # set: left out of lists (upstream's "hide")
    label_ids = ListAttribute(of=UnicodeAttribute, null=True)  # as given, in order
    assignee_user_id = UnicodeAttribute(null=True)
    created_by_agent_id = UnicodeAttribute(null=True)
    created_by_user_id = UnicodeAttribute(null=True)
    responsible_user_id = UnicodeAttribute(null=True)
    # The issues this one is blocked by (its own set, changed only with its version; see
    # issue_relations.py for the reverse edges GET issue reads as `blocks`).
    blocked_by = UnicodeSetAttribute(null=True)
    passthrough = JSONAttribute(null=True)  # stored-as-given upstream fields: {camelCaseName: value}
    comment_count = NumberAttribute(null=True)  # ADDed with every comment (heartbeat-context's cursor)
    # Set when a DELETE starts its cascade: from then on the issue reads as missing and nothing new may
    # hang off it; a repeated DELETE finishes the cascade (services/issues/issue_delete.py).
    deleting_at = UnicodeAttribute(null=True)

    by_company = IssuesByCompany()
    by_assignee = IssuesByAssignee()
    by_parent = IssuesByParent()
