"""Schemas for issue documents, their revisions, and attachments."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, text

BODY_MAX_CHARS = 524_288


class DocumentPut(RequestBody):
    title: Optional[text(0, 200)] = Field(None, description="Omitted: an update keeps the current title; null clears it.")
    format: Literal["markdown"]
    body: text(0, BODY_MAX_CHARS)
    base_revision_id: Optional[Id] = Field(
        None, description="Omit to create; the document's latestRevisionId to update (anything else is 409)."
    )
    change_summary: Optional[text(0, 500)] = None


class DocumentSummaryOut(ResponseBody):
    id: str
    company_id: str
    issue_id: str
    key: str
    title: Optional[str]
    format: Literal["markdown"]
    latest_revision_id: str
    latest_revision_number: int
    created_at: Timestamp
    updated_at: Timestamp


class DocumentOut(DocumentSummaryOut):
    body: str


class DocumentRevisionOut(ResponseBody):
    id: str
    document_id: str
    issue_id: str
    key: str
    revision_number: int
    title: Optional[str]
    format: Literal["markdown"]
    body: str
    change_summary: Optional[str]
    created_by_agent_id: Optional[str]
    created_by_user_id: Optional[str]
    created_at: Timestamp


class AttachmentOut(ResponseBody):
    id: str
    company_id: str
    issue_id: str
    issue_comment_id: Optional[str]
    content_type: str
    byte_size: int
    sha256: str
    original_filename: Optional[str]
    originating_run_id: Optional[str]
    created_by_agent_id: Optional[str]
    created_by_user_id: Optional[str]
    content_path: str
    open_path: str
    download_path: str
    created_at: Timestamp
    updated_at: Timestamp
