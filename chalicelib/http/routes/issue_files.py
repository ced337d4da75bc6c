"""Issue documents, attachments and work products (SPEC §4 "Documents", "Attachments"; upstream's work
products: validators.md §5.8)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.config import settings
from chalicelib.errors import DomainError
from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.params import PAGING, limit, page_reply, param
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.logic.attachment_download import accepts_binary, content_disposition, is_textual, plan_delivery
from chalicelib.services.issues import attachments, issue_documents, work_products


class FilesBlueprint(Blueprint):
    """Registers the non-textual attachment types as binary media types of the app when the blueprint is
    registered, so API Gateway (whose binaryMediaTypes Chalice derives from this list) and `chalice local`
    carry downloads as bytes. Textual types stay off the list: see logic/attachment_download.py."""

    def register(self, app: Any, options: dict[str, Any]) -> None:
        super().register(app, options)
        for content_type in settings().attachment_content_types:
            if not is_textual(content_type) and content_type not in app.api.binary_types:
                app.api.binary_types.append(content_type)


class NotAcceptable(DomainError):
    status = 406


bp = FilesBlueprint(__name__)
documents_schemas = SchemaModule("documents")  # chalicelib/http/schemas/documents.py, imported on first use
work_products_schemas = SchemaModule("work_products")  # chalicelib/http/schemas/work_products.py, likewise
DOCS = "Issue documents"
DOCUMENT_KEY = {"key": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]*$", "maxLength": issue_documents.KEY_MAX,
                        "description": "stored lower-case"}}
FILES = "Attachments"


# --------------------------------------------------------------------------- documents

@route(bp, "/issues/{issueId}/documents", "GET", action="issue.read", tag=DOCS,
       response=list[documents_schemas.DocumentSummaryOut],
       query={"includeSystem": param("true: also the system documents (continuation-summary, ...)", enum=["true", "false"]),
              "limit": param("page size (clamped to 1..500, default 500; a page also stops before 4 MB)", type="integer"),
              "cursor": PAGING["cursor"]},
       summary="List an issue's documents by key (no bodies; system documents only with includeSystem=true; X-Next-Cursor pages)")
def list_documents(ctx: RequestContext, issueId: str):
    page = issue_documents.list_documents(ctx.principal, issueId, ctx.query.get("includeSystem") == "true",
                                          limit(ctx, 500, 1, 500), ctx.query.get("cursor"))
    return page_reply(page, issue_documents.summary_json)


@route(bp, "/issues/{issueId}/documents/{key}", "GET", action="issue.read", summary="Get a document by key", tag=DOCS,
       response=documents_schemas.DocumentOut,
       path_params=DOCUMENT_KEY)
def get_document(ctx: RequestContext, issueId: str, key: str):
    return issue_documents.get_document(ctx.principal, issueId, key)


@route(bp, "/issues/{issueId}/documents/{key}", "PUT", action="issue.write", tag=DOCS,
       body=documents_schemas.DocumentPut, response=documents_schemas.DocumentOut,
       also_succeeds_with=(201,), path_params=DOCUMENT_KEY,
       summary="Create (201, no baseRevisionId) or update (200, baseRevisionId = latestRevisionId) a document")
def put_document(ctx: RequestContext, issueId: str, key: str):
    document, created = issue_documents.put_document(ctx.principal, issueId, key, ctx.body, ctx.now)
    return Reply(body=document, status=201 if created else 200)


@route(bp, "/issues/{issueId}/documents/{key}/revisions", "GET", action="issue.read",
       summary="A document's revisions, newest first", tag=DOCS,
       response=list[documents_schemas.DocumentRevisionOut], query=PAGING, path_params=DOCUMENT_KEY)
def list_revisions(ctx: RequestContext, issueId: str, key: str):
    page = issue_documents.list_revisions(ctx.principal, issueId, key, limit(ctx), ctx.query.get("cursor"))
    return page_reply(page, lambda item: issue_documents.revision_json(*item))


@route(bp, "/issues/{issueId}/documents/{key}", "DELETE", action="issue.document_delete",
       summary="Delete a document and its history (board only)", tag=DOCS,
       status=204, path_params=DOCUMENT_KEY)
def delete_document(ctx: RequestContext, issueId: str, key: str):
    issue_documents.delete_document(ctx.principal, issueId, key, ctx.now)
    return Reply(status=204)


# --------------------------------------------------------------------------- attachments

@route(bp, "/companies/{companyId}/issues/{issueId}/attachments", "POST", action="issue.write", tag=FILES,
       response=documents_schemas.AttachmentOut, status=201,
       raw_body=True, content_type="multipart/form-data", extra_statuses=(413, 415, 422),
       raw_body_doc=lambda: {
           "schema": {"type": "object", "properties": {attachments.FILE_FIELD: {"type": "string", "format": "binary"},
                                                       attachments.COMMENT_FIELD: {"type": "string", "format": "uuid"}},
                      "required": [attachments.FILE_FIELD]},
           "encoding": {attachments.FILE_FIELD: {"contentType": ", ".join(settings().attachment_content_types)}},
       },
       summary="Upload an attachment: multipart/form-data with one field `file` (and optionally `issueCommentId`)")
def upload_attachment(ctx: RequestContext, companyId: str, issueId: str):
    attachment = attachments.upload(ctx.principal, companyId, issueId, ctx.headers.get("content-type"), ctx.raw_body, ctx.now)
    return attachments.to_json(attachment)


@route(bp, "/issues/{issueId}/attachments", "GET", action="issue.read",
       summary="List an issue's attachments, in upload order", tag=FILES,
       response=list[documents_schemas.AttachmentOut], query=PAGING)
def list_attachments(ctx: RequestContext, issueId: str):
    return page_reply(attachments.list_for_issue(ctx.principal, issueId, limit(ctx), ctx.query.get("cursor")), attachments.to_json)


@route(bp, "/attachments/{attachmentId}/content", "GET", action="issue.read", tag=FILES, extra_statuses=(406,),
       response_content_types=lambda: settings().attachment_content_types,
       query={"download": param("1 or true: Content-Disposition attachment (a download) instead of inline",
                                enum=["1", "0", "true", "false"])},
       summary="Download an attachment's bytes (binary types need an Accept header such as */*)")
def download_attachment(ctx: RequestContext, attachmentId: str):
    attachment, data = attachments.content(ctx.principal, attachmentId)
    binary_types = bp.current_app.api.binary_types
    delivery = plan_delivery(attachment.content_type, data, binary_types)
    if delivery.needs_binary_accept and not accepts_binary(ctx.headers.get("accept"), binary_types):
        # Chalice and API Gateway would refuse or mangle the bytes: say so in the API's own error shape.
        raise NotAcceptable("This attachment is binary: send an Accept header that allows it, e.g. */*",
                            {"contentType": delivery.content_type})
    return Reply(body=delivery.body, content_type=delivery.content_type, headers={
        "Content-Disposition": content_disposition(attachment.original_filename,
                                                   download=ctx.query.get("download") in ("1", "true")),
        "X-Content-Type-Options": "nosniff",
    })


@route(bp, "/attachments/{attachmentId}", "DELETE", action="issue.write",
       summary="Delete an attachment (record and bytes)", tag=FILES, status=204)
def delete_attachment(ctx: RequestContext, attachmentId: str):
    attachments.delete(ctx.principal, attachmentId, ctx.now)
    return Reply(status=204)


# --------------------------------------------------------------------------- work products

PRODUCTS = "Work products"


@route(bp, "/issues/{issueId}/work-products", "POST", action="issue.write", tag=PRODUCTS,
       body=work_products_schemas.WorkProductCreate,
       response=work_products_schemas.WorkProductOut, status=201, summary="Record a work product of an issue (pull request, preview, artifact, ...)")
def create_work_product(ctx: RequestContext, issueId: str):
    return work_products.to_json(work_products.create(ctx.principal, issueId, ctx.body, ctx.now))


@route(bp, "/issues/{issueId}/work-products", "GET", action="issue.read", tag=PRODUCTS,
       response=list[work_products_schemas.WorkProductOut],
       query={"limit": param(f"page size (clamped to 1..{work_products.LIST_MAX}, default {work_products.LIST_MAX})",
                             type="integer"), "cursor": PAGING["cursor"]},
       summary="An issue's work products: primary first, then most recently updated (paged: X-Next-Cursor)")
def list_work_products(ctx: RequestContext, issueId: str):
    page = work_products.list_for_issue(ctx.principal, issueId, limit(ctx, work_products.LIST_MAX, 1, work_products.LIST_MAX),
                                        ctx.query.get("cursor"))
    return page_reply(page, work_products.to_json)


@route(bp, "/work-products/{workProductId}", "PATCH", action="issue.write", tag=PRODUCTS,
       body=work_products_schemas.WorkProductUpdate,
       response=work_products_schemas.WorkProductOut, summary="Change a work product")
def update_work_product(ctx: RequestContext, workProductId: str):
    return work_products.to_json(work_products.update(ctx.principal, workProductId, ctx.body, ctx.now))


@route(bp, "/work-products/{workProductId}", "DELETE", action="issue.write", tag=PRODUCTS,
       response=work_products_schemas.WorkProductOut,
       summary="Delete a work product (200 with what was deleted)")
def delete_work_product(ctx: RequestContext, workProductId: str):
    return work_products.to_json(work_products.delete(ctx.principal, workProductId, ctx.now))
