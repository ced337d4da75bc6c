"""Agents and their API keys. Names are unique per company (case-insensitively) via a guarded key."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import Conflict, NotFound, Unprocessable
from chalicelib.ids import is_uuid, new_agent_key, new_id, token_hash
from chalicelib.services import activity
from chalicelib.services.access import permissions
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.services.org import companies
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.identity import Credential
from chalicelib.store.pages import Page, query_page
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, agent_name_key

UNASSIGNABLE_STATUSES = ("terminated", "pending_approval")
ASSIGNABLE_STATUSES = ("idle", "running", "paused", "error")


def find(agent_id: str) -> Agent:
    if not is_uuid(agent_id):
        raise NotFound("Agent not found")
    try:
        return Agent.get(agent_id, consistent_read=True)
    except Agent.DoesNotExist:
        raise NotFound("Agent not found")


def get(principal: Principal, agent_id: str, action: str = "agent.read") -> Agent:
    """The agent, if `action` on it is allowed (SELF rules: the agent itself)."""
    agent = find(agent_id)
    authorize(principal, action, agent.company_id, what="Agent", target_agent_id=agent.id)
    return agent


def me(principal: Principal) -> Agent:
    permissions.precheck(principal, "agent.me")
    return find(principal.id)


def create(principal: Principal, company_id: str, data: dict[str, Any], now: datetime) -> Agent:
    authorize(principal, "agent.create", company_id, by_id=False)
    companies.find(company_id)
    stamp = iso(now)
    agent = Agent(
        id=new_id(),
        company_id=company_id,
        name=data["name"],
        role=data.get("role") or "general",
        title=data.get("title"),
        reports_to=data.get("reportsTo"),
        capabilities=data.get("capabilities"),
        status=data.get("status") or "idle",
        next_wake_run_id=new_id(),
        created_at=stamp,
        updated_at=stamp,
    )
    if agent.reports_to:
        _check_manager(principal, agent.reports_to, company_id, agent.id)
    tx = Transaction()
    tx.save(agent, condition=Agent.id.does_not_exist())
    tx.save(UniqueKey(key=agent_name_key(company_id, agent.name), ref=agent.id), condition=UniqueKey.key.does_not_exist(), tag="name")
    tx.save(activity.entry(principal, company_id, "agent.created", "agent", agent.id, now, {"name": agent.name}))
    try:
        tx.commit()
    except TransactionConflict:
        raise Conflict("An agent with this name already exists in the company", {"name": agent.name})
    return agent


def _check_manager(principal: Principal, manager_id: str, company_id: str, agent_id: str) -> None:
    if manager_id == agent_id:
        raise Unprocessable("An agent cannot report to itself", {"reportsTo": manager_id})
    manager = find(manager_id)
    require_same_company(principal, manager.company_id, company_id, "reportsTo", manager_id, "Agent")


def list_for_company(principal: Principal, company_id: str, limit: int, cursor: str | None) -> Page:
    authorize(principal, "agent.read", company_id, by_id=False)
    return query_page(Agent.by_company, company_id, limit=limit, cursor=cursor)


def update(principal: Principal, agent_id: str, data: dict[str, Any], now: datetime) -> Agent:
    agent = get(principal, agent_id, "agent.update")
    if agent.status == "terminated":
        raise Conflict("Agent is terminated")
    if data.get("reportsTo"):
        _check_manager(principal, data["reportsTo"], agent.company_id, agent.id)
    fields = {"name": "name", "role": "role", "title": "title", "reportsTo": "reports_to", "capabilities": "capabilities"}
    actions = [Agent.updated_at.set(iso(now))]
    for key, attr in fields.items():
        if key in data:
            actions.append(getattr(Agent, attr).set(data[key]) if data[key] is not None else getattr(Agent, attr).remove())
    tx = Transaction()
    tx.update(agent, actions=actions, condition=Agent.status != "terminated", tag="agent")
    renamed = "name" in data and data["name"].casefold() != agent.name.casefold()
    if renamed:
        tx.delete(UniqueKey(key=agent_name_key(agent.company_id, agent.name)))
        tx.save(UniqueKey(key=agent_name_key(agent.company_id, data["name"]), ref=agent.id), condition=UniqueKey.key.does_not_exist(), tag="name")
    tx.save(activity.entry(principal, agent.company_id, "agent.updated", "agent", agent.id, now, {"fields": sorted(data)}))
    try:
        tx.commit()
    except TransactionConflict as conflict:
        if "name" in conflict.tags:
            raise Conflict("An agent with this name already exists in the company", {"name": data["name"]})
        raise Conflict("Agent is terminated")
    for key, attr in fields.items():
        if key in data:
            setattr(agent, attr, data[key])
    agent.updated_at = iso(now)
    return agent


# Lifecycle: which statuses each action may start from, and where it leads.
LIFECYCLE = {
    "pause": ({"idle", "running", "error"}, "paused"),
    "resume": ({"paused", "pending_approval"}, "idle"),
    "terminate": ({"idle", "running", "error", "paused", "pending_approval"}, "terminated"),
}


def change_status(principal: Principal, agent_id: str, action: str, now: datetime) -> Agent:
    agent = get(principal, agent_id, "agent.lifecycle")
    allowed_from, target = LIFECYCLE[action]
    if agent.status not in allowed_from:
        raise Conflict(f"Cannot {action} an agent that is {agent.status}", {"status": agent.status})
    tx = Transaction()
    tx.update(
        agent,
        actions=[Agent.status.set(target), Agent.updated_at.set(iso(now))],
        condition=Agent.status.is_in(*allowed_from),
    )
    if action == "terminate":
        _close_wakeup_slot(tx, agent, now)
    tx.save(activity.entry(principal, agent.company_id, {"pause": "agent.paused", "resume": "agent.resumed", "terminate": "agent.terminated"}[action], "agent", agent.id, now, {"from": agent.status, "to": target}))
    try:
        tx.commit()
    except TransactionConflict:
        raise Conflict(f"Cannot {action} the agent: its status changed", {"status": agent.status})
    agent.status, agent.updated_at = target, iso(now)
    return agent


def _close_wakeup_slot(tx: Transaction, agent: Agent, now: datetime) -> None:
    """A terminated agent's queued run is cancelled in the terminating transaction, and its slot is
    closed for good: a wakeup decided on a stale read of the agent writes to that slot id, finds a
    cancelled run (not absent, not queued) and fails its condition, and its retry sees `terminated`."""
    stamp = iso(now)
    tx.update(
        HeartbeatRun(id=agent.next_wake_run_id),
        actions=[HeartbeatRun.status.set("cancelled"), HeartbeatRun.company_id.set(agent.company_id),
                 HeartbeatRun.agent_id.set(agent.id), HeartbeatRun.created_at.set(HeartbeatRun.created_at | stamp),
                 HeartbeatRun.wakeups.set(HeartbeatRun.wakeups | []), HeartbeatRun.finished_at.set(stamp),
                 HeartbeatRun.error.set("Agent terminated")],
        condition=HeartbeatRun.id.does_not_exist() | (HeartbeatRun.status == "queued"),
        tag="slot",
    )


def assignable_check(tx: Transaction, agent_id: str) -> None:
    """Add to a transaction that gives an agent work: it must still be able to take it (not terminated
    or pending approval) when the write lands, not only when it was read (tag "assignee")."""
    tx.check(Agent, agent_id, condition=Agent.status.is_in(*ASSIGNABLE_STATUSES), tag="assignee")


def require_assignable(agent: Agent) -> None:
    if agent.status in UNASSIGNABLE_STATUSES:
        raise Conflict(f"Agent is {agent.status} and cannot be assigned work", {"agentId": agent.id, "status": agent.status})


def to_json(agent: Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "companyId": agent.company_id,
        "name": agent.name,
        "role": agent.role,
        "title": agent.title,
        "reportsTo": agent.reports_to,
        "capabilities": agent.capabilities,
        "status": agent.status,
        "createdAt": agent.created_at,
        "updatedAt": agent.updated_at,
    }


# --- API keys -------------------------------------------------------------------------------------


def create_key(principal: Principal, agent_id: str, name: str | None, now: datetime) -> tuple[Credential, str]:
    agent = get(principal, agent_id, "agent.keys")
    token = new_agent_key()
    credential = Credential(
        token_hash=token_hash(token),
        id=new_id(),
        kind="agent",
        owner_id=agent.id,
        company_id=agent.company_id,
        name=name,
        created_at=iso(now),
    )
    tx = Transaction()
    tx.save(credential, condition=Credential.token_hash.does_not_exist())
    tx.save(activity.entry(principal, agent.company_id, "agent.key_created", "agent", agent.id, now, {"keyId": credential.id}))
    tx.commit()
    return credential, token


def list_keys(principal: Principal, agent_id: str) -> list[Credential]:
    agent = get(principal, agent_id, "agent.keys")
    return [c for c in Credential.by_owner.query(agent.id) if c.kind == "agent"]


def revoke_key(principal: Principal, agent_id: str, key_id: str, now: datetime) -> None:
    agent = get(principal, agent_id, "agent.keys")
    matches = [c for c in Credential.by_owner.query(agent.id, filter_condition=Credential.id == key_id) if c.kind == "agent"]
    if not matches:
        raise NotFound("Key not found")
    credential = matches[0]
    tx = Transaction()
    tx.update(credential, actions=[Credential.revoked_at.set(credential.revoked_at or iso(now))], condition=Credential.token_hash.exists())
    tx.save(activity.entry(principal, agent.company_id, "agent.key_revoked", "agent", agent.id, now, {"keyId": key_id}))
    tx.commit()


def key_to_json(credential: Credential, token: str | None = None) -> dict[str, Any]:
    body = {"id": credential.id, "name": credential.name, "createdAt": credential.created_at}
    if token is not None:
        body["token"] = token
    else:
        body["lastUsedAt"] = credential.last_used_at
        body["revokedAt"] = credential.revoked_at
    return body
