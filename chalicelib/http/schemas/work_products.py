"""Schemas for issue work products (upstream's createIssueWorkProductSchema: validators.md §5.8)."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional
from urllib.parse import urlparse

from pydantic import AfterValidator, Field

from chalicelib.http.schemas.base import RequestBody, ResponseBody, Timestamp, not_null, text
from chalicelib.http.schemas.issue_fields import Guid

WorkProductType = Literal["preview_url", "runtime_service", "pull_request", "branch", "commit", "artifact", "document"]
WorkProductStatus = Literal["active", "ready_for_review", "approved", "changes_requested", "merged", "closed", "failed",
                            "archived", "draft"]
ReviewState = Literal["none", "needs_board_review", "approved", "changes_requested"]
HealthStatus = Literal["unknown", "healthy", "unhealthy"]


def _url(value: str) -> str:
    """zod's z.string().url(): an absolute URL (scheme and host)."""
    parsed = urlparse(value)
    if not parsed.scheme or not (parsed.netloc or parsed.scheme in ("mailto", "file", "data")):
        raise ValueError("Invalid url")
    return value


Url = Annotated[text(1, 4_000), AfterValidator(_url)]


class _WorkProductFields(RequestBody):
    project_id: Optional[Guid] = Field(None, description="default: the issue's project")
    execution_workspace_id: Optional[Guid] = None
    runtime_service_id: Optional[Guid] = None
    external_id: Optional[text(0, 1_000)] = None
    url: Optional[Url] = None
    summary: Optional[text(0, 10_000)] = None
    metadata: Optional[dict[str, Any]] = Field(
        None, description="free-form (at most 16 KB of JSON); artifact/paperclip products: {attachmentId} of a file "
                          "of this issue, completed by the server")
    created_by_run_id: Optional[Guid] = Field(None, description="agents: their own run only; board: a run of the company")


class WorkProductCreate(_WorkProductFields):
    type: WorkProductType
    provider: text(1, 200)
    title: text(1, 500)
    status: WorkProductStatus = not_null("default active")
    review_state: ReviewState = not_null("default none")
    is_primary: bool = not_null("default false; true makes it the issue's one primary product of its type")
    health_status: HealthStatus = not_null("default unknown")


class WorkProductUpdate(_WorkProductFields):
    type: WorkProductType = not_null()
    provider: text(1, 200) = not_null()
    title: text(1, 500) = not_null()
    status: WorkProductStatus = not_null()
    review_state: ReviewState = not_null()
    is_primary: bool = not_null()
    health_status: HealthStatus = not_null()


class WorkProductOut(ResponseBody):
    id: str
    company_id: str
    project_id: Optional[str]
    issue_id: str
    execution_workspace_id: Optional[str]
    runtime_service_id: Optional[str]
    type: WorkProductType
    provider: str
    external_id: Optional[str]
    title: str
    url: Optional[str]
    status: WorkProductStatus
    review_state: ReviewState
    is_primary: bool
    health_status: HealthStatus
    summary: Optional[str]
    metadata: Optional[dict[str, Any]]
    created_by_run_id: Optional[str]
    created_at: Timestamp
    updated_at: Timestamp
