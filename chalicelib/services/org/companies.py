"""Companies: the tenant boundary. Issue prefixes are unique through a guarded key, not a lookup."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import Conflict, NotFound
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
    if not is_uuid(company_id):
        raise NotFound("Company not found")
    try:
        return Company.get(company_id)
    except Company.DoesNotExist:
        raise NotFound("Company not found")


def list_visible(principal: Principal, limit: int, cursor: str | None) -> Page:
    if principal.is_instance_admin:
        # Instance admins see every company: the one listing that reads a whole table, paged.
        result = Company.scan(limit=limit, page_size=limit, last_evaluated_key=decode_cursor(cursor, {"id"}))
        raw_page = next(result.page_iter)
        items = [result._map_fn(raw) for raw in raw_page.get("Items", [])]
        return Page(sorted(items, key=lambda c: c.created_at), encode_cursor(result.page_iter.last_evaluated_key))
    ids = [principal.company_id] if principal.is_agent else sorted(principal.memberships)
    ids = [i for i in ids if i]
    companies = list(Company.batch_get(ids)) if ids else []
    return Page(sorted(companies, key=lambda c: c.created_at), None)


def update(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> Company:
    company = get(principal, company_id, "company.update")
    actions = [Company.updated_at.set(iso(now))]
    for field in ("name", "description", "status"):
        if field in data:
            actions.append(getattr(Company, field).set(data[field]))
    tx = Transaction()
    tx.update(company, actions=actions, condition=Company.id.exists())
    tx.save(activity.entry(principal, company.id, "company.updated", "company", company.id, now, {"fields": sorted(data)}))
    tx.commit()
    for field in ("name", "description", "status"):
        if field in data:
            setattr(company, field, data[field])
    company.updated_at = iso(now)
    return company


def to_json(company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "description": company.description,
        "status": company.status,
        "issuePrefix": company.issue_prefix,
        "createdAt": company.created_at,
        "updatedAt": company.updated_at,
    }
