"""Issues. Identifiers (`PAP-12`) resolve through a guarded key in the uniques table, written in the
same transaction as the issue, so a lookup right after creation is strongly consistent."""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, meta

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

    by_company = IssuesByCompany()
    by_assignee = IssuesByAssignee()
