"""Companies: the tenant boundary. Issue prefixes are unique through a guarded key, not a lookup."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import BadRequest, Conflict, NotFound
from chalicelib.ids import is_uuid, new_id
from chalicelib.services import activity
from chalicelib.services.access import permissions
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.store.companies import Company
from chalicelib.store.identity import BoardUser
from chalicelib.store.pages import Page, decode_cursor, encode_cursor
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, issue_prefix_key

# What a board user gets on a company they create (and what an instance admin implicitly has).
ALL_PERMISSIONS = permissions.PERMISSIONS
MAX_PREFIX_ATTEMPTS = 50


def base_prefix(name: str) -> str:
    """First three ASCII letters of the name, upper-cased; padded with X when shorter; CMP for none."""
    letters = re.sub(r"[^A-Za-z]", "", name)[:3].upper()
    if not letters:
        return "CMP"
    return letters.ljust(3, "X")


def candidate_prefixes(name: str):
    base = base_prefix(name)
    yield base
    for n in range(2, MAX_PREFIX_ATTEMPTS + 2):
        yield f"{base}{n}"


def create(principal: Principal, data: dict[str, Any], now: datetime) -> Company:
    permissions.precheck(principal, "company.create")
    stamp = iso(now)
    company_id = new_id()
    for prefix in candidate_prefixes(data["name"]):
        company = Company(
            id=company_id,
            name=data["name"],
            description=data.get("description"),
            status=data.get("status") or "active",
            issue_prefix=prefix,
            issue_counter=0,
            created_at=stamp,
            updated_at=stamp,
            budget_monthly_cents=data.get("budgetMonthlyCents", 0),
            # Upstream sets the creating user when absent (validators.md §2.1).
            default_responsible_user_id=data.get("defaultResponsibleUserId", None if principal.is_agent else principal.id),
        )
        tx = Transaction()
        tx.save(company, condition=Company.id.does_not_exist())
        tx.save(UniqueKey(key=issue_prefix_key(prefix), ref=company_id), condition=UniqueKey.key.does_not_exist(), tag="prefix")
        if principal.kind == "board":
            tx.update(
                BoardUser(id=principal.id),
                actions=[BoardUser.memberships[company_id].set(list(ALL_PERMISSIONS))],
                condition=BoardUser.id.exists(),
            )
        tx.save(activity.entry(principal, company_id, "company.created", "company", company_id, now, {"name": company.name}))
        try:
            tx.commit()
            return company
        except TransactionConflict as conflict:
            if "prefix" not in conflict.tags:
                raise
    raise Conflict(  # 50 companies already share these three letters
        "No free issue prefix for this name; choose a more distinctive name", {"issuePrefix": base_prefix(data["name"])}
    )


def get(principal: Principal, company_id: str, action: str = "company.read") -> Company:
    company = find(company_id)
    authorize(principal, action, company.id, what="Company")
    return company


def find(company_id: str) -> Company:
    """The company, or 404; a company being deleted is already gone (company_deletion.py)."""
    company = find_including_deleting(company_id)
    if company.deleting_at:
        raise NotFound("Company not found")
    return company


def find_including_deleting(company_id: str) -> Company:
    if not is_uuid(company_id):
        raise NotFound("Company not found")
    try:
        return Company.get(company_id)
    except Company.DoesNotExist:
        raise NotFound("Company not found")


def require_listable(page: Page, company_id: str, cursor: str | None) -> Page:
    """A company's list under an id that names no company is 404, not [] (issue 14). Checked only
    when the first page comes back empty, so listing a company with items costs no extra read."""
    if not page.items and not cursor:
        find(company_id)
    return page


def check_scope(scope: str | None) -> None:
    """`GET /companies?scope=`: upstream honours only `accessible` (anything else is a 400 there too)."""
    if scope not in (None, "", "accessible"):
        raise BadRequest("scope must be 'accessible'", {"scope": scope})


def list_visible(principal: Principal, limit: int, cursor: str | None) -> Page:
    if principal.is_instance_admin:
        # Instance admins see every company: the one listing that reads a whole table, paged.
        result = Company.scan(limit=limit, page_size=limit, last_evaluated_key=decode_cursor(cursor, {"id"}))
        raw_page = next(result.page_iter)
        items = [c for c in (result._map_fn(raw) for raw in raw_page.get("Items", [])) if not c.deleting_at]
        return Page(sorted(items, key=lambda c: c.created_at), encode_cursor(result.page_iter.last_evaluated_key))
    ids = [principal.company_id] if principal.is_agent else sorted(principal.memberships)
    ids = [i for i in ids if i]
    companies = [c for c in Company.batch_get(ids) if not c.deleting_at] if ids else []
    return Page(sorted(companies, key=lambda c: c.created_at), None)


# Request field -> Company attribute, for every field PATCH may change (validators.md §2.1).
UPDATABLE = {
    "name": "name",
    "description": "description",
    "status": "status",
    "budgetMonthlyCents": "budget_monthly_cents",
    "spentMonthlyCents": "spent_monthly_cents",
    "defaultResponsibleUserId": "default_responsible_user_id",
    "requireBoardApprovalForNewAgents": "require_board_approval_for_new_agents",
    "interactionResolverGovernance": "interaction_resolver_governance",
    "feedbackDataSharingEnabled": "feedback_data_sharing_enabled",
    "feedbackDataSharingConsentAt": "feedback_data_sharing_consent_at",
    "feedbackDataSharingConsentByUserId": "feedback_data_sharing_consent_by_user_id",
    "feedbackDataSharingTermsVersion": "feedback_data_sharing_terms_version",
    "logoAssetId": "logo_asset_id",
}


def update(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> Company:
    """Writes only the attributes the body names (null removes), conditioned on the company still
    existing and not being deleted."""
    company = get(principal, company_id, "company.update")
    changes = {UPDATABLE[key]: value for key, value in data.items()}
    changes["updated_at"] = iso(now)
    actions = [getattr(Company, a).set(v) if v is not None else getattr(Company, a).remove() for a, v in changes.items()]
    tx = Transaction()
    tx.update(company, actions=actions, condition=Company.id.exists() & Company.deleting_at.does_not_exist())
    tx.save(activity.entry(principal, company.id, "company.updated", "company", company.id, now, {"fields": sorted(data)}))
    try:
        tx.commit()
    except TransactionConflict:
        raise NotFound("Company not found")  # deleted meanwhile
    for attr, value in changes.items():
        setattr(company, attr, value)
    return company


def to_json(company: Company) -> dict[str, Any]:
    """Upstream's Company shape (validators.md §2.1). No cost events here: `spentMonthlyCents` is what
    was last set; no pause flow or logo upload: `pauseReason`, `pausedAt`, `logoUrl` are null."""
    return {
        "id": company.id,
        "name": company.name,
        "description": company.description,
        "status": company.status,
        "pauseReason": None,
        "pausedAt": None,
        "issuePrefix": company.issue_prefix,
        "issueCounter": int(company.issue_counter or 0),
        "budgetMonthlyCents": int(company.budget_monthly_cents or 0),
        "spentMonthlyCents": int(company.spent_monthly_cents or 0),
        "defaultResponsibleUserId": company.default_responsible_user_id,
        "requireBoardApprovalForNewAgents": bool(company.require_board_approval_for_new_agents),
        "interactionResolverGovernance": company.interaction_resolver_governance or {},
        "feedbackDataSharingEnabled": bool(company.feedback_data_sharing_enabled),
        "feedbackDataSharingConsentAt": company.feedback_data_sharing_consent_at,
        "feedbackDataSharingConsentByUserId": company.feedback_data_sharing_consent_by_user_id,
        "feedbackDataSharingTermsVersion": company.feedback_data_sharing_terms_version,
        "logoAssetId": company.logo_asset_id,
        "logoUrl": None,
        "createdAt": company.created_at,
        "updatedAt": company.updated_at,
    }
