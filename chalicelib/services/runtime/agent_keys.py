"""Agent API keys (SPEC §2; upstream validators.md §2.3): `pcp_` + 48 hex, shown once, stored as a hash.

`scope` is upstream's key scope. A standard key (the default, and what the CLI's `token agent create`
and `connect` send) acts as its agent. Upstream's restricted scopes (`task_bridge`, `skill_test`) confine
a key to some projects or one issue; this service cannot enforce those boundaries, and a key that looked
confined but was not would be worse than none, so they are refused (422) rather than stored.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import Conflict, NotFound, Unprocessable
from chalicelib.ids import new_agent_key, new_id, token_hash
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.services.runtime import agents
from chalicelib.store.identity import Credential
from chalicelib.store.transactions import Transaction

STANDARD_SCOPE = {"kind": "standard"}
DEFAULT_NAME = "default"  # upstream createAgentKeySchema's default


def create(principal: Principal, agent_id: str, name: str | None, scope: dict[str, Any] | None,
           now: datetime) -> tuple[Credential, str]:
    agent = agents.get(principal, agent_id, "agent.keys")
    if agent.status in ("pending_approval", "terminated"):  # upstream's 409s
        label = "pending approval" if agent.status == "pending_approval" else "terminated"
        raise Conflict(f"Cannot create keys for {label} agents", {"status": agent.status})
    scope = scope or dict(STANDARD_SCOPE)
    if scope["kind"] != "standard":
        raise Unprocessable("Scoped agent keys are not supported here: create a standard key",
                            {"scope.kind": scope["kind"]})
    token = new_agent_key()
    credential = Credential(
        token_hash=token_hash(token),
        id=new_id(),
        kind="agent",
        owner_id=agent.id,
        company_id=agent.company_id,
        name=name if name is not None else DEFAULT_NAME,
        scope=scope,
        created_at=iso(now),
    )
    tx = Transaction()
    tx.save(credential, condition=Credential.token_hash.does_not_exist())
    tx.save(activity.entry(principal, agent.company_id, "agent.key_created", "agent", agent.id, now, {"keyId": credential.id}))
    tx.commit()
    return credential, token


def list_for_agent(principal: Principal, agent_id: str) -> list[Credential]:
    """Every key of the agent, revoked ones included (as upstream lists them)."""
    agent = agents.get(principal, agent_id, "agent.keys")
    return [c for c in Credential.by_owner.query(agent.id) if c.kind == "agent"]


def revoke(principal: Principal, agent_id: str, key_id: str, now: datetime) -> None:
    agent = agents.get(principal, agent_id, "agent.keys")
    matches = [c for c in Credential.by_owner.query(agent.id, filter_condition=Credential.id == key_id) if c.kind == "agent"]
    if not matches:
        raise NotFound("Key not found")
    credential = matches[0]
    tx = Transaction()
    tx.update(credential, actions=[Credential.revoked_at.set(credential.revoked_at or iso(now))], condition=Credential.token_hash.exists())
    tx.save(activity.entry(principal, agent.company_id, "agent.key_revoked", "agent", agent.id, now, {"keyId": key_id}))
    tx.commit()


def to_json(credential: Credential, token: str | None = None) -> dict[str, Any]:
    """upstream's key shapes: created `{id, name, scope, responsibleUserId, token, createdAt}`, listed
    `{…, createdAt, revokedAt}` (plus our `lastUsedAt`). We have no responsible users: null."""
    body = {"id": credential.id, "name": credential.name, "scope": credential.scope or dict(STANDARD_SCOPE),
            "responsibleUserId": None, "createdAt": credential.created_at}
    if token is not None:
        body["token"] = token
    else:
        body["lastUsedAt"] = credential.last_used_at
        body["revokedAt"] = credential.revoked_at
    return body
