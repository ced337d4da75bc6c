"""Issue work products (upstream's IssueWorkProduct: pull requests, previews, artifacts, ...).

Keyed by id (PATCH and DELETE name only the product); an issue's products come from the by-issue index
in upstream's order: primary first, then most recently updated (`list_key`). Which product is the
primary one of its type on an issue is arbitrated by a key in the uniques table
(`primary_slot_key`), so two concurrent "make me primary" writes cannot both win.
"""
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta

_MAX_MS = 10**13


def list_key(is_primary: bool, updated_at_ms: int, product_id: str) -> str:
    """Ascending order of this key: primary first, then most recently updated."""
    return f"{0 if is_primary else 1}#{_MAX_MS - updated_at_ms:013d}#{product_id}"


def primary_slot_key(issue_id: str, product_type: str) -> str:
    return f"work-product-primary#{issue_id}#{product_type}"


class WorkProductsByIssue(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-issue"
        projection = AllProjection()

    issue_id = UnicodeAttribute(hash_key=True)
    list_key = UnicodeAttribute(range_key=True)


class WorkProduct(BaseModel):
    Meta = meta("work-products")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    issue_id = UnicodeAttribute()
    project_id = UnicodeAttribute(null=True)
    execution_workspace_id = UnicodeAttribute(null=True)
    runtime_service_id = UnicodeAttribute(null=True)
    type = UnicodeAttribute()
    provider = UnicodeAttribute()
    external_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    url = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    review_state = UnicodeAttribute()
    is_primary = BooleanAttribute()
    health_status = UnicodeAttribute()
    summary = UnicodeAttribute(null=True)
    metadata = JSONAttribute(null=True)
    created_by_run_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    list_key = UnicodeAttribute()
    version = NumberAttribute()  # bumped by every write; PATCH and DELETE are conditioned on it

    by_issue = WorkProductsByIssue()
