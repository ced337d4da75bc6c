"""Issue work products (upstream's IssueWorkProduct; validators.md §5.8, skill.md Step 7): the pull
requests, previews and artifacts an agent produced for an issue. The skill's
scripts/paperclip-upload-artifact.sh creates one for every file it uploads.

- `POST /api/issues/{issueId}/work-products` → 201; `GET` lists them, primary first, then most recently
  updated; `PATCH|DELETE /api/work-products/{id}` → 200 with the product (DELETE: the removed one).
- Agents write them under the rule of PATCH and documents (issue_guards.require_agent_may_write).
- `createdByRunId`: an agent's product is attributed to its own run only (another run is 403; without
  a run of its own it may not name one either); the board may name a run of the issue's company (403
  otherwise). Omitted: the agent's run, or none.
- `isPrimary: true` makes the product the issue's one primary product of its type: the previous one
  is cleared in the same transaction, and a key in the uniques table (store/work_products.py) makes
  two concurrent claims serialize (the loser retries from the new state).
- `type: artifact` + `provider: paperclip`: `metadata.attachmentId` must name a file of this issue;
  the server writes the rest of the metadata from the attachment (content type, size, paths), as
  upstream does. A repeat by the same run for the same attachment (`externalId` = the attachment id)
  updates that product instead of adding another.
- `metadata` is stored as given, at most 16 KB of JSON (413 beyond).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.clock import epoch_ms, iso
from chalicelib.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.issues import issue_guards, issue_lookup, issues
from chalicelib.store.attachments import Attachment
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue
from chalicelib.store.pages import Page, query_page
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey
from chalicelib.store.work_products import WorkProduct, list_key, primary_slot_key

METADATA_MAX_BYTES = 16 * 1024
MAX_ATTEMPTS = 8  # re-reads after losing a primary-slot race
LIST_MAX = 500  # products one GET returns (upstream: all)

# body key -> WorkProduct attribute
FIELDS = {
    "projectId": "project_id",
    "executionWorkspaceId": "execution_workspace_id",
    "runtimeServiceId": "runtime_service_id",
    "type": "type",
    "provider": "provider",
    "externalId": "external_id",
    "title": "title",
    "url": "url",
    "status": "status",
    "reviewState": "review_state",
    "isPrimary": "is_primary",
    "healthStatus": "health_status",
    "summary": "summary",
    "metadata": "metadata",
    "createdByRunId": "created_by_run_id",
}
DEFAULTS = {"status": "active", "reviewState": "none", "isPrimary": False, "healthStatus": "unknown"}


def create(principal: Principal, issue_ref: str, data: dict[str, Any], now: datetime) -> WorkProduct:
    issue = issue_lookup.get(principal, issue_ref, "issue.write")
    issue_guards.require_agent_may_write(principal, issue, now)
    values = {**DEFAULTS, **data}
    values["createdByRunId"] = _run_attribution(principal, issue, data, creating=True)
    values["projectId"] = _project(principal, issue, data) if "projectId" in data else issue.project_id
    values["metadata"] = _metadata(issue, values)
    existing = _same_run_artifact(issue, values)
    if existing is not None:
        return _update(principal, issue, existing, values, now)
    stamp = iso(now)
    product_id = new_id()
    product = WorkProduct(id=product_id, company_id=issue.company_id, issue_id=issue.id, created_at=stamp,
                          updated_at=stamp, version=1, list_key=list_key(bool(values["isPrimary"]), epoch_ms(now), product_id),
                          **{attr: values.get(key) for key, attr in FIELDS.items()})
    for _ in range(MAX_ATTEMPTS):
        tx = Transaction()
        tx.save(product, condition=WorkProduct.id.does_not_exist(), tag="product")
        if product.is_primary:
            _claim_primary(tx, issue, product, now)
        issue_guards.add_issue_unchanged(tx, principal, issue)
        tx.save(activity.entry(principal, issue.company_id, "issue.work_product_created", "issue", issue.id, now,
                               {"workProductId": product.id, "type": product.type, "provider": product.provider}))
        try:
            tx.commit()
            return product
        except TransactionConflict as conflict:
            if "issue" in conflict.tags:
                raise issue_guards.lost_race(issue)
            if "slot" not in conflict.tags and "previous_primary" not in conflict.tags:
                raise
    raise Conflict("Could not make the work product primary; try again", {"issueId": issue.id})


def list_for_issue(principal: Principal, issue_ref: str, limit: int = LIST_MAX, cursor: str | None = None) -> Page:
    """Primary first, then most recently updated: the by-issue index's order, one Query a page. A page
    also stops before ~5 MB as the Lambda envelope carries it (a product can take ~180 KB escaped;
    issue #11), with X-Next-Cursor (upstream returns every product at once)."""
    issue = issue_lookup.get(principal, issue_ref)
    return query_page(WorkProduct.by_issue, issue.id, limit=limit, cursor=cursor)


def for_issue(issue_id: str, limit: int = LIST_MAX) -> list[WorkProduct]:
    return list(WorkProduct.by_issue.query(issue_id, limit=limit, page_size=limit))


def update(principal: Principal, product_id: str, data: dict[str, Any], now: datetime) -> WorkProduct:
    product, issue = _get(principal, product_id)
    issue_guards.require_agent_may_write(principal, issue, now)
    values = dict(data)
    if "createdByRunId" in data:
        values["createdByRunId"] = _run_attribution(principal, issue, data, creating=False)
    if "projectId" in data:
        values["projectId"] = _project(principal, issue, data)
    merged = {key: values.get(key, getattr(product, attr)) for key, attr in FIELDS.items()}
    if "metadata" in data or {"type", "provider"} & set(data):
        values["metadata"] = _metadata(issue, merged)
    return _update(principal, issue, product, values, now)


def delete(principal: Principal, product_id: str, now: datetime) -> WorkProduct:
    product, issue = _get(principal, product_id)
    issue_guards.require_agent_may_write(principal, issue, now)
    tx = Transaction()
    tx.delete(product, condition=WorkProduct.version == product.version, tag="product")
    if product.is_primary:
        tx.delete(UniqueKey(key=primary_slot_key(issue.id, product.type)), condition=UniqueKey.ref == product.id, tag="slot")
    if principal.is_agent:
        issue_guards.add_issue_unchanged(tx, principal, issue)
    tx.save(activity.entry(principal, issue.company_id, "issue.work_product_deleted", "issue", issue.id, now,
                           {"workProductId": product.id, "type": product.type}))
    try:
        tx.commit()
    except TransactionConflict as conflict:
        if "issue" in conflict.tags:
            raise issue_guards.lost_race(issue)
        raise Conflict("The work product was changed meanwhile; re-read it and try again", {"workProductId": product.id})
    return product


# --- internals ------------------------------------------------------------------------------------


def _get(principal: Principal, product_id: str) -> tuple[WorkProduct, Issue]:
    product = None
    if is_uuid(product_id):
        try:
            product = WorkProduct.get(product_id, consistent_read=True)
        except WorkProduct.DoesNotExist:
            product = None
    if product is None:
        raise NotFound("Work product not found")
    authorize(principal, "issue.write", product.company_id, what="Work product")
    try:
        issue = issue_lookup.find(product.issue_id)
    except NotFound:
        raise NotFound("Work product not found")
    return product, issue


def _update(principal: Principal, issue: Issue, product: WorkProduct, values: dict[str, Any], now: datetime) -> WorkProduct:
    for _ in range(MAX_ATTEMPTS):
        changes = {attr: values[key] for key, attr in FIELDS.items() if key in values and values[key] != getattr(product, attr)}
        final_type = changes.get("type", product.type)
        final_primary = bool(changes.get("is_primary", product.is_primary))
        stamp = iso(now)
        changes.update({"updated_at": stamp, "list_key": list_key(final_primary, epoch_ms(now), product.id),
                        "version": int(product.version or 0) + 1})
        tx = Transaction()
        tx.update(WorkProduct(id=product.id),
                  actions=[getattr(WorkProduct, a).set(v) if v is not None else getattr(WorkProduct, a).remove()
                           for a, v in changes.items()],
                  condition=WorkProduct.version == product.version, tag="product")
        if product.is_primary and (final_type != product.type or not final_primary):
            tx.delete(UniqueKey(key=primary_slot_key(issue.id, product.type)), condition=UniqueKey.ref == product.id,
                      tag="slot")
        if final_primary and (not product.is_primary or final_type != product.type):
            _claim_primary(tx, issue, WorkProduct(id=product.id, type=final_type), now)
        if principal.is_agent:
            issue_guards.add_issue_unchanged(tx, principal, issue)
        tx.save(activity.entry(principal, issue.company_id, "issue.work_product_updated", "issue", issue.id, now,
                               {"workProductId": product.id, "fields": sorted(k for k, a in FIELDS.items() if a in changes)}))
        try:
            tx.commit()
        except TransactionConflict as conflict:
            if "issue" in conflict.tags:
                raise issue_guards.lost_race(issue)
            if "product" in conflict.tags:
                raise Conflict("The work product was changed meanwhile; re-read it and try again", {"workProductId": product.id})
            continue  # lost a primary-slot race: decide again from the new state
        for attr, value in changes.items():
            setattr(product, attr, value)
        return product
    raise Conflict("Could not make the work product primary; try again", {"workProductId": product.id})


def _claim_primary(tx: Transaction, issue: Issue, product: WorkProduct, now: datetime) -> None:
    """Make `product` the primary one of its type: the slot key names it, the previous holder is cleared."""
    key = primary_slot_key(issue.id, product.type)
    slot = get_many([(UniqueKey, key)])[(UniqueKey, key)]
    previous = slot.ref if slot is not None and slot.ref else None
    condition = UniqueKey.ref == previous if previous else (UniqueKey.key.does_not_exist() | UniqueKey.ref.does_not_exist())
    tx.update(UniqueKey(key=key), actions=[UniqueKey.ref.set(product.id)], condition=condition, tag="slot")
    if previous and previous != product.id:
        tx.update(WorkProduct(id=previous),
                  actions=[WorkProduct.is_primary.set(False), WorkProduct.updated_at.set(iso(now)),
                           WorkProduct.list_key.set(list_key(False, epoch_ms(now), previous)), WorkProduct.version.add(1)],
                  condition=WorkProduct.id.exists() & (WorkProduct.is_primary == True),  # noqa: E712 - a DynamoDB condition
                  tag="previous_primary")


def _run_attribution(principal: Principal, issue: Issue, data: dict[str, Any], creating: bool) -> str | None:
    requested = data.get("createdByRunId")
    if principal.is_agent:
        if requested and requested != principal.run_id:
            raise Forbidden("createdByRunId must match the authenticated agent run", {"createdByRunId": requested})
        return principal.run_id if creating or requested else None
    if not requested:
        return None
    run = get_many([(HeartbeatRun, requested)])[(HeartbeatRun, requested)] if is_uuid(requested) else None
    if run is None or run.company_id != issue.company_id:
        raise Forbidden("createdByRunId is not valid for this company", {"createdByRunId": requested})
    return requested


def _project(principal: Principal, issue: Issue, data: dict[str, Any]) -> str | None:
    project_id = data.get("projectId")
    if project_id is not None:
        issues.load_references(principal, issue.company_id, project_id=project_id)
    return project_id


def _metadata(issue: Issue, values: dict[str, Any]) -> dict[str, Any] | None:
    metadata = values.get("metadata")
    if values.get("type") == "artifact" and values.get("provider") == "paperclip":
        metadata = _artifact_metadata(issue, metadata)
    if metadata is not None:
        size = len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        if size > METADATA_MAX_BYTES:
            raise PayloadTooLarge("metadata is too large", {"metadata": f"at most {METADATA_MAX_BYTES} bytes of JSON",
                                                            "byteSize": size})
    return metadata


def _artifact_metadata(issue: Issue, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Upstream's canonicalizePaperclipArtifactMetadata: the attachment decides every field."""
    attachment_id = (metadata or {}).get("attachmentId")
    if not isinstance(attachment_id, str) or not is_uuid(attachment_id.lower()):
        raise Unprocessable("Invalid attachment artifact metadata",
                            {"code": "invalid_attachment_artifact_metadata", "metadata.attachmentId": "required: a UUID"})
    attachment = get_many([(Attachment, attachment_id.lower())])[(Attachment, attachment_id.lower())]
    if attachment is None or attachment.issue_id != issue.id or attachment.company_id != issue.company_id:
        raise Unprocessable("Attachment artifact must reference an attachment on the same issue",
                            {"code": "invalid_attachment_artifact_metadata", "attachmentId": attachment_id})
    content_path = f"/api/attachments/{attachment.id}/content"
    return {"attachmentId": attachment.id, "contentType": attachment.content_type, "byteSize": int(attachment.byte_size),
            "contentPath": content_path, "openPath": content_path, "downloadPath": f"{content_path}?download=1",
            "originalFilename": attachment.original_filename}


def _same_run_artifact(issue: Issue, values: dict[str, Any]) -> WorkProduct | None:
    """Upstream's rule: the same run adding the same attachment artifact again updates its product."""
    metadata = values.get("metadata") or {}
    run_id = values.get("createdByRunId")
    if not (values.get("type") == "artifact" and values.get("provider") == "paperclip" and run_id
            and values.get("externalId") and values.get("externalId") == metadata.get("attachmentId")):
        return None
    condition = ((WorkProduct.type == "artifact") & (WorkProduct.provider == "paperclip")
                 & (WorkProduct.external_id == values["externalId"]) & (WorkProduct.created_by_run_id == run_id))
    return next(iter(WorkProduct.by_issue.query(issue.id, filter_condition=condition)), None)


def to_json(product: WorkProduct) -> dict[str, Any]:
    return {
        "id": product.id,
        "companyId": product.company_id,
        "projectId": product.project_id,
        "issueId": product.issue_id,
        "executionWorkspaceId": product.execution_workspace_id,
        "runtimeServiceId": product.runtime_service_id,
        "type": product.type,
        "provider": product.provider,
        "externalId": product.external_id,
        "title": product.title,
        "url": product.url,
        "status": product.status,
        "reviewState": product.review_state,
        "isPrimary": bool(product.is_primary),
        "healthStatus": product.health_status,
        "summary": product.summary,
        "metadata": product.metadata,
        "createdByRunId": product.created_by_run_id,
        "createdAt": product.created_at,
        "updatedAt": product.updated_at,
    }
