"""Agents (SPEC §3, upstream validators.md §2.2, §2.6, §9.4, §9.5).

Names are unique per company case-insensitively, and url keys ("shortnames", logic/agent_url_key.py)
among the company's live agents, both through guarded keys written in the transaction that creates or
renames the agent; terminating an agent frees both (upstream excludes terminated agents from
shortname uniqueness and lookups). Upstream's other fields are in agent_fields.py.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from chalicelib.clock import iso
from chalicelib.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.ids import is_uuid, new_id
from chalicelib.logic import agent_config_redaction, agent_url_key
from chalicelib.logic.json_bounds import ADAPTER_CONFIG_MAX_BYTES, json_size
from chalicelib.services import activity
from chalicelib.services.access import permissions
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.services.org import companies
from chalicelib.services.runtime import agent_fields
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.pages import Page, query_page
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, agent_name_key, agent_url_key as url_key_item

UNASSIGNABLE_STATUSES = ("terminated", "pending_approval")
ASSIGNABLE_STATUSES = ("idle", "running", "paused", "error")
MAX_CHAIN = 50  # upstream getChainOfCommand's bound
MAX_ATTEMPTS = 5  # a PATCH re-reads and decides again when the agent changed between its read and its write
# What chainOfCommand and the reporting-cycle check read of each manager.
_CHAIN_ATTRIBUTES = ["id", "company_id", "name", "role", "title", "reports_to"]


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
    """The calling agent. A board principal has no agent: 403 (upstream answers 401 "Agent
    authentication required"; the CLI's `company current` accepts both)."""
    permissions.precheck(principal, "agent.me")
    return find(principal.id)


def may_read_config(principal: Principal, agent: Agent) -> bool:
    """The board and the agent itself see its configuration; other agents get the restricted view."""
    return not principal.is_agent or principal.id == agent.id


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
        **agent_fields.create_values(data),
    )
    if agent.reports_to:
        _check_manager(principal, agent.reports_to, company_id, agent.id)
    tx = Transaction()
    tx.save(agent, condition=Agent.id.does_not_exist())
    _claim_names(tx, company_id, agent.name, agent.id)
    tx.save(activity.entry(principal, company_id, "agent.created", "agent", agent.id, now, {"name": agent.name}))
    try:
        tx.commit()
    except TransactionConflict as conflict:
        raise _name_conflict(conflict, agent.name)
    return agent


def _claim_names(tx: Transaction, company_id: str, name: str, agent_id: str) -> None:
    tx.save(UniqueKey(key=agent_name_key(company_id, name), ref=agent_id),
            condition=UniqueKey.key.does_not_exist(), tag="name")
    key = agent_url_key.normalize(name)
    if key:
        tx.save(UniqueKey(key=url_key_item(company_id, key), ref=agent_id),
                condition=UniqueKey.key.does_not_exist(), tag="urlKey")


def _release_names(tx: Transaction, company_id: str, name: str, agent_id: str) -> None:
    """Free the agent's name and url key: only if they are its own (or already gone)."""
    keys = [agent_name_key(company_id, name)]
    if agent_url_key.normalize(name):
        keys.append(url_key_item(company_id, agent_url_key.normalize(name)))
    for key in keys:
        tx.delete(UniqueKey(key=key), condition=UniqueKey.key.does_not_exist() | (UniqueKey.ref == agent_id))


def _name_conflict(conflict: TransactionConflict, name: str) -> Conflict:
    if "name" in conflict.tags:
        return Conflict("An agent with this name already exists in the company", {"name": name})
    if "urlKey" in conflict.tags:  # upstream's message (services/agents.js assertCompanyShortnameAvailable)
        key = agent_url_key.normalize(name)
        return Conflict(f"Agent shortname '{key}' is already in use in this company", {"name": name, "urlKey": key})
    return Conflict("The agent changed meanwhile; try again")


def _check_manager(principal: Principal, manager_id: str, company_id: str, agent_id: str) -> None:
    if manager_id == agent_id:
        raise Unprocessable("An agent cannot report to itself", {"reportsTo": manager_id})
    manager = find(manager_id)
    require_same_company(principal, manager.company_id, company_id, "reportsTo", manager_id, "Agent")
    if any(ancestor.id == agent_id for ancestor in _managers_above(manager, include_self=False)):
        raise Unprocessable("Reporting to this agent would make a reporting cycle", {"reportsTo": manager_id})


def list_for_company(principal: Principal, company_id: str, limit: int, cursor: str | None) -> Page:
    authorize(principal, "agent.read", company_id, by_id=False)
    return query_page(Agent.by_company, company_id, limit=limit, cursor=cursor)


# --- PATCH ------------------------------------------------------------------------------------------

# PATCH `status` (board only, as the lifecycle routes): target -> the statuses it may come from
PATCH_STATUS_FROM = {
    "paused": ("idle", "running", "error"),
    "idle": ("paused", "error", "running"),
    "running": ("idle", "error"),
    "error": ("idle", "running"),
}


def update(principal: Principal, agent_id: str, data: dict[str, Any], now: datetime) -> Agent:
    """Change the fields given; `status` moves it like pause / resume do (`terminated`: see
    services/issues/agent_admin.py). Every write is conditioned on what it decided on (the status, the
    adapter config's revision for a merge), and a lost race re-reads and decides again."""
    for _ in range(MAX_ATTEMPTS):
        agent = get(principal, agent_id, "agent.update")
        if agent.status == "terminated":
            raise Conflict("Agent is terminated")
        if principal.is_agent and (board_only := [f for f in agent_fields.BOARD_ONLY if f in data]):
            raise Forbidden("Agents may not change their own budget or status", {f: "board only" for f in board_only})
        if "status" in data:
            authorize(principal, "agent.lifecycle", agent.company_id, what="Agent")
        if data.get("reportsTo"):
            _check_manager(principal, data["reportsTo"], agent.company_id, agent.id)
        tx, values = _update_transaction(principal, agent, data, now)
        try:
            tx.commit()
        except TransactionConflict as conflict:
            if "name" in conflict.tags or "urlKey" in conflict.tags:
                raise _name_conflict(conflict, data["name"])
            continue  # terminated, moved, or its config changed meanwhile: decide again on a fresh read
        for attr, value in values.items():
            setattr(agent, attr, value)
        return agent
    raise Conflict("The agent kept changing meanwhile; try again")


def _update_transaction(principal: Principal, agent: Agent, data: dict[str, Any], now: datetime) -> tuple[Transaction, dict[str, Any]]:
    values: dict[str, Any] = {"updated_at": iso(now)}
    for wire, attr in {**agent_fields.CORE, **agent_fields.AS_GIVEN}.items():
        if wire in data:
            values[attr] = data[wire]
    condition = Agent.id.exists() & (Agent.status == agent.status)
    if "adapterConfig" in data:
        values["adapter_config"] = _next_adapter_config(agent, data)
        values["adapter_config_revision"] = int(agent.adapter_config_revision or 0) + 1
        read = agent.adapter_config_revision
        condition &= Agent.adapter_config_revision.does_not_exist() if read is None else Agent.adapter_config_revision == read
    target = _status_target(agent, data.get("status"))
    if target is not None:
        values.update(_status_values(target, now))
    actions = [getattr(Agent, attr).set(v) if v is not None else getattr(Agent, attr).remove() for attr, v in values.items()]
    tx = Transaction()
    tx.update(agent, actions=actions, condition=condition, tag="agent")
    if "name" in data and data["name"].casefold() != agent.name.casefold():
        tx.delete(UniqueKey(key=agent_name_key(agent.company_id, agent.name)))
        tx.save(UniqueKey(key=agent_name_key(agent.company_id, data["name"]), ref=agent.id),
                condition=UniqueKey.key.does_not_exist(), tag="name")
    old_key, new_key = agent_url_key.normalize(agent.name), agent_url_key.normalize(data.get("name", agent.name))
    if old_key != new_key:
        if old_key:
            tx.delete(UniqueKey(key=url_key_item(agent.company_id, old_key)),
                      condition=UniqueKey.key.does_not_exist() | (UniqueKey.ref == agent.id))
        if new_key:
            tx.save(UniqueKey(key=url_key_item(agent.company_id, new_key), ref=agent.id),
                    condition=UniqueKey.key.does_not_exist(), tag="urlKey")
    details: dict[str, Any] = {"fields": sorted(data)}
    if target is not None:
        details.update({"from": agent.status, "to": target})
    tx.save(activity.entry(principal, agent.company_id, "agent.updated", "agent", agent.id, now, details))
    return tx, values


def _next_adapter_config(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
    """Upstream's PATCH rule (routes/agents.js): the given config is merged into the stored one unless
    `replaceAdapterConfig` is true or the adapter type changes; env values sent back redacted keep
    their stored value."""
    if not isinstance(data["adapterConfig"], dict):  # upstream's zod: a record, not nullable
        raise BadRequest("Validation failed", {"adapterConfig": "must be an object"})
    stored = agent.adapter_config or {}
    given = agent_config_redaction.restore(data["adapterConfig"], stored)
    changing_type = "adapterType" in data and data["adapterType"] != (agent.adapter_type or agent_fields.DEFAULT_ADAPTER_TYPE)
    merged = given if data.get("replaceAdapterConfig") or changing_type else {**stored, **given}
    if json_size(merged) > ADAPTER_CONFIG_MAX_BYTES:
        raise BadRequest("Validation failed", {"adapterConfig": f"at most {ADAPTER_CONFIG_MAX_BYTES} bytes of JSON once merged into the stored config"})
    return merged


def _status_target(agent: Agent, requested: str | None) -> str | None:
    """The status a PATCH moves the agent to (None: unchanged), or a 409 as upstream gives."""
    if requested is None:
        return None
    target = "idle" if requested == "active" else requested  # upstream's older name for idle
    if target == agent.status:
        return None
    if target == "terminated":  # handled with its cleanup by services/issues/agent_admin.py
        raise BadRequest("Terminating an agent goes through its own cleanup", {"status": requested})
    if agent.status == "pending_approval":
        raise Conflict("Pending approval agents cannot be activated directly; approve them", {"status": agent.status})
    if target == "pending_approval":
        raise Conflict("Agents cannot be returned to pending approval", {"status": agent.status})
    if agent.status not in PATCH_STATUS_FROM[target]:
        raise Conflict(f"Cannot move an agent that is {agent.status} to {target}", {"status": agent.status})
    return target


def _status_values(target: str, now: datetime) -> dict[str, Any]:
    if target == "paused":
        return {"status": "paused", "pause_reason": "manual", "paused_at": iso(now)}
    return {"status": target, "pause_reason": None, "paused_at": None}


# --- lifecycle --------------------------------------------------------------------------------------

# Which statuses each action may start from, and where it leads.
LIFECYCLE = {
    "pause": ({"idle", "running", "error"}, "paused"),
    "resume": ({"paused", "pending_approval"}, "idle"),
    "approve": ({"pending_approval"}, "idle"),
    "terminate": ({"idle", "running", "error", "paused", "pending_approval"}, "terminated"),
}
ACTIVITY = {"pause": "agent.paused", "resume": "agent.resumed", "approve": "agent.approved", "terminate": "agent.terminated"}


def change_status(principal: Principal, agent_id: str, action: str, now: datetime) -> Agent:
    agent = get(principal, agent_id, "agent.lifecycle")
    allowed_from, target = LIFECYCLE[action]
    if agent.status not in allowed_from:
        if action == "approve":  # upstream's message
            raise Conflict("Only pending approval agents can be approved", {"status": agent.status})
        raise Conflict(f"Cannot {action} an agent that is {agent.status}", {"status": agent.status})
    values = _status_values(target, now) if target != "terminated" else {"status": target, "pause_reason": None, "paused_at": None}
    values["updated_at"] = iso(now)
    tx = Transaction()
    tx.update(
        agent,
        actions=[getattr(Agent, a).set(v) if v is not None else getattr(Agent, a).remove() for a, v in values.items()],
        condition=Agent.status.is_in(*allowed_from),
    )
    if action == "terminate":
        _close_wakeup_slot(tx, agent, now)
        _release_names(tx, agent.company_id, agent.name, agent.id)
    tx.save(activity.entry(principal, agent.company_id, ACTIVITY[action], "agent", agent.id, now, {"from": agent.status, "to": target}))
    try:
        tx.commit()
    except TransactionConflict:
        raise Conflict(f"Cannot {action} the agent: its status changed", {"status": agent.status})
    for attr, value in values.items():
        setattr(agent, attr, value)
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
                 HeartbeatRun.finished_at.set(stamp),
                 HeartbeatRun.error.set("Agent terminated"), HeartbeatRun.live_company_id.remove(),
                 HeartbeatRun.live_until.remove()],
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


# --- JSON -------------------------------------------------------------------------------------------


def to_json(agent: Agent, *, config: bool = False) -> dict[str, Any]:
    """The agent (agent_fields.to_json); without `config`, upstream's restricted view."""
    return agent_fields.to_json(agent, config=config)


# The task-assignment access every agent has here: the permission table lets any agent of the company
# assign issues (`issue.assign`), which upstream calls its simple default.
ACCESS = {"canAssignTasks": True, "taskAssignSource": "simple_default", "membership": None, "grants": []}


def detail(principal: Principal, agent: Agent) -> dict[str, Any]:
    """upstream's AgentDetail (validators.md §9.4): the agent, `chainOfCommand` and `access`."""
    return {
        **to_json(agent, config=may_read_config(principal, agent)),
        "chainOfCommand": [
            {"id": m.id, "name": m.name, "role": m.role, "title": m.title}
            for m in _managers_above(agent, include_self=False)
        ],
        "access": dict(ACCESS),
    }


def _managers_above(agent: Agent, include_self: bool) -> Iterator[Agent]:
    """The agent's managers, nearest first: at most 50, stopping at a cycle, a missing manager or one
    of another company (upstream getChainOfCommand). One GetItem per manager."""
    if include_self:
        yield agent
    seen, manager_id, count = {agent.id}, agent.reports_to, 0
    while manager_id and manager_id not in seen and count < MAX_CHAIN:
        seen.add(manager_id)
        try:
            manager = Agent.get(manager_id, attributes_to_get=_CHAIN_ATTRIBUTES)
        except Agent.DoesNotExist:
            return
        if manager.company_id != agent.company_id:
            return
        count += 1
        yield manager
        manager_id = manager.reports_to
