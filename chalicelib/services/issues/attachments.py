"""Issue attachments (SPEC §4 "Attachments"): files uploaded as multipart/form-data, bytes in S3.

Upload order: the S3 object first, then the record and the activity entry in one transaction; if the
transaction does not commit the object is deleted again, so a record never points at missing bytes.
Delete order is the reverse: the record (with its activity entry) first, then the object.

Checks on upload, in order: a body that is not multipart 415; unreadable multipart 400; no `file` field
(or more than one) 400; content type outside the allowlist 415; larger than the limit 413; empty 422.
The optional text field `issueCommentId` (upstream's; the CLI's `--comment-id`) binds the file to a
comment: not a UUID 400 "Invalid attachment metadata", no such comment 404, a comment of another issue
422, and for agents a comment the same agent wrote in the same run (422 otherwise), as upstream.
Any principal that can see the issue may list and download its attachments; agents upload and delete
them under the rule of PATCH and comments (a run while the issue is in_progress; 409 while another
active run holds the checkout), as upstream lets agents delete attachments; the board always may.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.config import settings
from chalicelib.errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.logic import multipart_upload
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.issues import issue_comments, issue_guards, issue_lookup
from chalicelib.services.access.principals import Principal
from chalicelib.store import blobs
from chalicelib.store.attachments import Attachment, blob_key
from chalicelib.store.issues import Issue
from chalicelib.store.pages import Page, query_page
from chalicelib.store.transactions import Transaction, TransactionConflict

FILE_FIELD = "file"
COMMENT_FIELD = "issueCommentId"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def upload(principal: Principal, company_id: str, issue_ref: str, content_type_header: str | None, raw: bytes,
           now: datetime) -> Attachment:
    authorize(principal, "issue.write", company_id, by_id=False)
    issue = issue_lookup.find(issue_ref)
    if issue.company_id != company_id:
        raise NotFound("Issue not found")
    issue_guards.require_agent_may_write(principal, issue, now)
    parts = _parts(content_type_header, raw)
    part = _file_part(parts)
    cfg = settings()
    if part.content_type not in cfg.attachment_content_types:
        raise UnsupportedMediaType("Attachment content type not allowed",
                                   {"contentType": part.content_type, "allowed": list(cfg.attachment_content_types)})
    if len(part.data) > cfg.attachment_max_bytes:
        raise PayloadTooLarge("Attachment too large", {"maxBytes": cfg.attachment_max_bytes, "byteSize": len(part.data)})
    if not part.data:
        raise Unprocessable("Attachment is empty", {FILE_FIELD: "the file has no content"})
    comment_id = _comment_binding(principal, issue, parts)

    attachment_id = new_id()
    stamp = iso(now)
    attachment = Attachment(
        id=attachment_id, company_id=issue.company_id, issue_id=issue.id, sort_key=f"{stamp}#{attachment_id}",
        content_type=part.content_type, byte_size=len(part.data), sha256=hashlib.sha256(part.data).hexdigest(),
        original_filename=multipart_upload.sanitize_filename(part.filename),
        blob_key=blob_key(issue.company_id, issue.id, attachment_id),
        actor_type=principal.actor_type, actor_id=principal.id, run_id=principal.run_id, created_at=stamp,
        issue_comment_id=comment_id,
    )
    blobs.put(attachment.blob_key, part.data, part.content_type)
    tx = Transaction()
    tx.save(attachment, condition=Attachment.id.does_not_exist())
    tx.save(activity.entry(principal, issue.company_id, "issue.attachment_added", "issue", issue.id, now, _details(attachment)))
    issue_guards.add_issue_unchanged(tx, principal, issue)
    try:
        blobs.commit_referencing(tx, attachment.blob_key, committed=lambda: _find(attachment_id) is not None)
    except TransactionConflict:
        raise issue_guards.lost_race(issue)
    return attachment


def _parts(content_type_header: str | None, raw: bytes) -> list[multipart_upload.Part]:
    try:
        return multipart_upload.parse(content_type_header, raw)
    except multipart_upload.NotMultipart as exc:
        raise UnsupportedMediaType("Content-Type must be multipart/form-data", {"contentType": str(exc)})
    except multipart_upload.MalformedMultipart as exc:
        raise BadRequest("Malformed multipart body", {"body": str(exc)})


def _comment_binding(principal: Principal, issue: Issue, parts: list[multipart_upload.Part]) -> str | None:
    """The comment the upload's `issueCommentId` field names, checked as upstream's createAttachment does."""
    fields = [p for p in parts if p.name == COMMENT_FIELD]
    if not fields:
        return None
    try:
        value = fields[-1].data.decode("utf-8").strip()
    except UnicodeDecodeError:
        value = None
    if value in ("", "null"):
        return None
    if value is None or not GUID.match(value):
        raise BadRequest("Invalid attachment metadata", {COMMENT_FIELD: "must be a UUID"})
    comment = issue_comments.find_by_id(value)
    if comment is None:
        raise NotFound("Issue comment not found", {COMMENT_FIELD: value})
    if comment.issue_id != issue.id or comment.company_id != issue.company_id:
        raise Unprocessable("Attachment comment must belong to same issue and company", {COMMENT_FIELD: value})
    if principal.is_agent and (not principal.run_id or comment.author_agent_id != principal.id
                               or comment.created_by_run_id != principal.run_id):
        raise Unprocessable("Agent attachment comments must belong to the same agent and current run",
                            {"code": "issue_attachment_parent_run_mismatch"})
    return comment.id


def _file_part(parts: list[multipart_upload.Part]) -> multipart_upload.Part:
    files = [p for p in parts if p.name == FILE_FIELD]
    if not files:
        raise BadRequest("Missing file field", {FILE_FIELD: "required"})
    if len(files) > 1:
        raise BadRequest("Only one file per upload", {FILE_FIELD: "given more than once"})
    return files[0]


def list_for_issue(principal: Principal, issue_ref: str, limit: int, cursor: str | None) -> Page:
    """Upload order (oldest first)."""
    issue = issue_lookup.get(principal, issue_ref)
    return query_page(Attachment.by_issue, issue.id, limit=limit, cursor=cursor)


def get(principal: Principal, attachment_id: str, action: str = "issue.read") -> Attachment:
    attachment = _find(attachment_id)
    if attachment is None:
        raise NotFound("Attachment not found")
    authorize(principal, action, attachment.company_id, what="Attachment")
    return attachment


def content(principal: Principal, attachment_id: str) -> tuple[Attachment, bytes]:
    attachment = get(principal, attachment_id)
    try:
        return attachment, blobs.get(attachment.blob_key)
    except blobs.BlobMissing:
        raise NotFound("Attachment content not found")


def delete(principal: Principal, attachment_id: str, now: datetime) -> None:
    attachment = get(principal, attachment_id, "issue.write")
    issue = issue_lookup.find(attachment.issue_id) if principal.is_agent else None
    if issue is not None:
        issue_guards.require_agent_may_write(principal, issue, now)
    tx = Transaction()
    tx.delete(attachment, condition=Attachment.id.exists(), tag="attachment")
    if issue is not None:
        issue_guards.add_issue_unchanged(tx, principal, issue)
    tx.save(activity.entry(principal, attachment.company_id, "issue.attachment_deleted", "issue", attachment.issue_id, now,
                           _details(attachment)))
    try:
        tx.commit()
    except TransactionConflict as conflict:
        if "issue" in conflict.tags:
            raise issue_guards.lost_race(issue)
        raise NotFound("Attachment not found")  # deleted concurrently
    blobs.delete_quietly(attachment.blob_key)


def _find(attachment_id: str) -> Attachment | None:
    if not is_uuid(attachment_id):
        return None
    try:
        return Attachment.get(attachment_id, consistent_read=True)
    except Attachment.DoesNotExist:
        return None


def _details(attachment: Attachment) -> dict[str, Any]:
    return {"attachmentId": attachment.id, "originalFilename": attachment.original_filename,
            "contentType": attachment.content_type, "byteSize": attachment.byte_size}


def to_json(attachment: Attachment) -> dict[str, Any]:
    """SPEC §4's record, with upstream's IssueAttachment fields we have (validators.md §11)."""
    content_path = f"/api/attachments/{attachment.id}/content"
    return {
        "id": attachment.id,
        "companyId": attachment.company_id,
        "issueId": attachment.issue_id,
        "issueCommentId": attachment.issue_comment_id,
        "contentType": attachment.content_type,
        "byteSize": attachment.byte_size,
        "sha256": attachment.sha256,
        "originalFilename": attachment.original_filename,
        "originatingRunId": attachment.run_id,
        "createdByAgentId": attachment.actor_id if attachment.actor_type == "agent" else None,
        "createdByUserId": attachment.actor_id if attachment.actor_type != "agent" else None,
        "contentPath": content_path,
        "openPath": content_path,
        "downloadPath": f"{content_path}?download=1",
        "createdAt": attachment.created_at,
        "updatedAt": attachment.created_at,
    }
