"""The world the authorization matrix runs in: two companies, agents with keys and running runs, and
board users of every shape the table distinguishes. Built through the API as the local board."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.helpers import create


@dataclass
class Actor:
    """Who makes the request under test."""

    variant: str  # admin | outsider | member_with | member_without | agent_self | agent_other | agent_foreign
    token: str
    agent_id: str | None = None  # agents only
    key: str | None = None
    jwt: str | None = None
    run_id: str | None = None

    @property
    def is_agent(self) -> bool:
        return self.variant.startswith("agent_")


@dataclass
class AuthzWorld:
    api: Any
    clock: Any
    cid: str
    other_cid: str
    project: dict
    goal: dict
    alice: dict
    bob: dict
    agents: dict[str, dict] = field(default_factory=dict)  # name -> {id, key, jwt, run_id}
    _counter: int = 0

    def unique(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix} {self._counter}"

    # --- building things as the local board (no token) -------------------------------------------
    def post(self, path: str, body: Any = None, status: int | tuple = (200, 201, 202), **kw) -> Any:
        r = self.api.post(path, body, **kw)
        assert r.status in (status if isinstance(status, tuple) else (status,)), (path, r)
        return r.json

    def issue(self, **fields) -> dict:
        return self.post(f"/api/companies/{self.cid}/issues", {"title": self.unique("Task"), **fields})

    def agent(self, **fields) -> dict:
        return self.post(f"/api/companies/{self.cid}/agents", {"name": self.unique("Agent"), **fields})

    def run_of(self, agent_id: str) -> tuple[str, str]:
        """A fresh running run of the agent: (run id, run JWT)."""
        body = self.post(f"/api/agents/{agent_id}/heartbeat/invoke")
        return body["run"]["id"], body["token"]

    def routine(self, assignee: str | None = None, **fields) -> dict:
        body = {"title": self.unique("Routine"), "projectId": self.project["id"],
                "assigneeAgentId": assignee or self.alice["id"], **fields}
        return self.post(f"/api/companies/{self.cid}/routines", body)

    def trigger(self, routine_id: str, kind: str = "webhook", **fields) -> dict:
        body = {"kind": kind, **fields}
        if kind == "schedule":
            body.setdefault("cronExpression", "0 9 * * *")
        return self.post(f"/api/routines/{routine_id}/triggers", body)["trigger"]

    def checked_out(self, agent_id: str) -> tuple[dict, str, str]:
        """An issue checked out by a fresh run of the agent: (issue, run id, run JWT)."""
        issue = self.issue(assigneeAgentId=agent_id)
        run_id, jwt = self.run_of(agent_id)
        r = self.api.post(f"/api/issues/{issue['id']}/checkout", {"agentId": agent_id, "expectedStatuses": ["todo"]},
                          token=jwt)
        assert r.status == 200, r
        return issue, run_id, jwt

    def key_of(self, agent_id: str) -> str:
        return self.post(f"/api/agents/{agent_id}/keys", {"name": "k"})["token"]


def board_token(clock: Any, *, admin: bool = False, memberships: dict[str, list[str]] | None = None) -> str:
    from chalicelib.services.org import board_users

    data = {"name": "Board", "isInstanceAdmin": admin, "memberships": memberships or {}}
    return board_users.create(None, data, clock.now())[1]


def build_world(api: Any, clock: Any) -> AuthzWorld:
    company = create(api, "/api/companies", {"name": "Own Co"})
    other = create(api, "/api/companies", {"name": "Other Co"})
    cid = company["id"]
    w = AuthzWorld(
        api=api, clock=clock, cid=cid, other_cid=other["id"],
        project=create(api, f"/api/companies/{cid}/projects", {"name": "Launch"}),
        goal=create(api, f"/api/companies/{cid}/goals", {"title": "Grow"}),
        alice=create(api, f"/api/companies/{cid}/agents", {"name": "Alice"}),
        bob=create(api, f"/api/companies/{cid}/agents", {"name": "Bob"}),
    )
    foreign = create(api, f"/api/companies/{other['id']}/agents", {"name": "Zed"})
    for name, agent in (("alice", w.alice), ("bob", w.bob), ("foreign", foreign)):
        run_id, jwt = w.run_of(agent["id"])
        w.agents[name] = {"id": agent["id"], "key": w.key_of(agent["id"]), "jwt": jwt, "run_id": run_id}
    return w


def actor(w: AuthzWorld, variant: str, permission: str | None, all_permissions: tuple[str, ...],
          credential: str) -> Actor:
    """The principal for one cell of the matrix. `permission`: what the rule requires of a board
    member (None when membership suffices)."""
    if variant == "admin":
        return Actor(variant, board_token(w.clock, admin=True))
    if variant == "outsider":
        return Actor(variant, board_token(w.clock, memberships={w.other_cid: list(all_permissions)}))
    if variant == "member_with":
        return Actor(variant, board_token(w.clock, memberships={w.cid: [permission] if permission else []}))
    if variant == "member_without":
        kept = [p for p in all_permissions if p != permission]
        return Actor(variant, board_token(w.clock, memberships={w.cid: kept}))
    name = {"agent_self": "alice", "agent_other": "bob", "agent_foreign": "foreign"}[variant]
    a = w.agents[name]
    token = a["key"] if credential == "key" else a["jwt"]
    return Actor(variant, token, agent_id=a["id"], key=a["key"], jwt=a["jwt"], run_id=a["run_id"])
