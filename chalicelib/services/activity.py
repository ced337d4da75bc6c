"""The activity log: every mutation appends one entry, in the same transaction as the mutation."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.ids import new_id, write_order
from chalicelib.services.access import permissions
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import SYSTEM_ACTOR_ID, Principal
from chalicelib.store.activity import Activity
from chalicelib.store.pages import Page, query_page


INSTANCE_LOG = "instance"  # the activity partition of instance-level events (board users, tokens)


def entry(
    actor: Principal | None,
    company_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> Activity:
    """An unsaved activity item; the caller adds it to its transaction."""
    created = iso(now)
    activity_id = new_id()
    return Activity(
        company_id=company_id,
        sort_key=f"{created}#{write_order()}#{activity_id}",  # entries of one instant in write order
        id=activity_id,
        actor_type=actor.actor_type if actor else "system",
        actor_id=actor.id if actor else SYSTEM_ACTOR_ID,
        run_id=actor.run_id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_key=f"{entity_type}#{entity_id}",
        details=details or None,
        created_at=created,
    )


def list_for_company(
    principal: Principal,
    company_id: str,
    *,
    agent_id: str | None,
    entity_type: str | None,
    entity_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page:
    """Newest first, one Query per page: an entity filter reads the entity's index (`entityType` +
    `entityId`: by-entity; `entityId` alone, as upstream allows: by-entity-id), otherwise the company's
    partition; `agentId` (entries whose actor is that agent) and a lone `entityType` filter the page.
    Upstream: validators.md §7."""
    authorize(principal, "company.read", company_id, by_id=False)
    condition = None
    if agent_id:
        condition = (Activity.actor_type == "agent") & (Activity.actor_id == agent_id)
    if entity_id:
        scope = Activity.company_id == company_id
        if entity_type and entity_id:
            index, key = Activity.by_entity, f"{entity_type}#{entity_id}"
        else:
            index, key = Activity.by_entity_id, entity_id
        condition = scope if condition is None else condition & scope
        return query_page(index, key, limit=limit, cursor=cursor, newest_first=True, filter_condition=condition)
    if entity_type:
        type_filter = Activity.entity_type == entity_type
        condition = type_filter if condition is None else condition & type_filter
    return query_page(Activity, company_id, limit=limit, cursor=cursor, newest_first=True, filter_condition=condition)


def list_instance(principal: Principal, limit: int, cursor: str | None) -> Page:
    """The instance-level log (board users, tokens, memberships), newest first."""
    permissions.precheck(principal, "instance.activity")
    return query_page(Activity, INSTANCE_LOG, limit=limit, cursor=cursor, newest_first=True)


def to_json(item: Activity) -> dict[str, Any]:
    return {
        "id": item.id,
        "companyId": item.company_id,
        "actorType": item.actor_type,
        "actorId": item.actor_id,
        "runId": item.run_id,
        "action": item.action,
        "entityType": item.entity_type,
        "entityId": item.entity_id,
        "details": item.details,
        "createdAt": item.created_at,
    }
