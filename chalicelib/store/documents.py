"""Issue documents and their revisions.

A document is one item per (issue, key); each write also puts one immutable revision item. Revisions
hang off the document's own id, not its key, so a key deleted and created again starts a fresh history
and never collides with the leftovers of the old one.

Bodies up to INLINE_BODY_MAX_BYTES of UTF-8 live in the item; larger ones (a 524,288-character body
can be ~2 MB) live in S3 under a key derived from the revision id, and the item keeps only that key.
The document item and its latest revision point at the same body.
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.base import BaseModel, meta

# Well under DynamoDB's 400 KB item limit, with room for the other attributes and for the document
# item and its revision both carrying the body inside one transaction.
INLINE_BODY_MAX_BYTES = 32 * 1024


class IssueDocument(BaseModel):
    Meta = meta("issue-documents")

    issue_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)  # lower-case
    id = UnicodeAttribute()  # the document's own id: revisions hang off it
    company_id = UnicodeAttribute()
    title = UnicodeAttribute(null=True)
    format = UnicodeAttribute()
    body = UnicodeAttribute(null=True)  # the body inline, when small
    body_blob = UnicodeAttribute(null=True)  # S3 key of the body, when large
    body_bytes = NumberAttribute()
    latest_revision_id = UnicodeAttribute()
    latest_revision_number = NumberAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class DocumentRevision(BaseModel):
    Meta = meta("document-revisions")

    document_id = UnicodeAttribute(hash_key=True)
    revision_number = NumberAttribute(range_key=True)  # numeric: sorts 1, 2, ..., 10 correctly
    id = UnicodeAttribute()
    issue_id = UnicodeAttribute()
    company_id = UnicodeAttribute()
    key = UnicodeAttribute()
    title = UnicodeAttribute(null=True)
    format = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    body_blob = UnicodeAttribute(null=True)
    body_bytes = NumberAttribute()
    # The body's size in a JSON response at worst (every non-ASCII character escaped): what a page of
    # revisions is budgeted by, before any body is fetched.
    wire_bytes = NumberAttribute()
    change_summary = UnicodeAttribute(null=True)
    actor_type = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    run_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


def body_blob_key(company_id: str, issue_id: str, document_id: str, revision_id: str) -> str:
    return f"documents/{company_id}/{issue_id}/{document_id}/{revision_id}"

