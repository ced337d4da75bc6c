"""Blocker relations, as upstream stores them: `{issueId: blocker, relatedIssueId: blocked, type: "blocks"}`.

The blocked issue's own set of blockers is the source of truth (`Issue.blocked_by`, written with the
issue's version); these items are its reverse edges, written in the same transactions, so "what does
this issue block" is one Query on the blocker's partition instead of a scan.
"""
from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.base import BaseModel, meta

BLOCKS = "blocks"


class IssueRelation(BaseModel):
    Meta = meta("issue-relations")

    issue_id = UnicodeAttribute(hash_key=True)  # the blocker
    related_issue_id = UnicodeAttribute(range_key=True)  # the issue it blocks
    company_id = UnicodeAttribute()
    type = UnicodeAttribute(default=BLOCKS)
    created_at = UnicodeAttribute()
