"""Who is calling. Built by chalicelib/http/principal.py; read by every service."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

LOCAL_BOARD_ID = "local-board"


@dataclass(frozen=True)
class Principal:
    kind: str  # "local_board" | "board" | "agent"
    id: str
    is_instance_admin: bool = False
    memberships: Mapping[str, frozenset[str]] = field(default_factory=dict)
    company_id: str | None = None  # the agent's company
    run_id: str | None = None  # the heartbeat run this call belongs to, when one was verified
    credential: str = "none"  # "local" | "board_token" | "agent_key" | "run_jwt"

    @property
    def is_board(self) -> bool:
        return self.kind in ("local_board", "board")

    @property
    def is_agent(self) -> bool:
        return self.kind == "agent"

    @property
    def actor_type(self) -> str:
        return "agent" if self.is_agent else "board"

    def can_access_company(self, company_id: str | None) -> bool:
        if company_id is None:
            return False
        if self.is_agent:
            return self.company_id == company_id
        return self.is_instance_admin or company_id in self.memberships

    def has_permission(self, company_id: str, permission: str) -> bool:
        if self.is_agent:
            return False
        if self.is_instance_admin:
            return True
        return permission in self.memberships.get(company_id, frozenset())


LOCAL_BOARD = Principal(kind="local_board", id=LOCAL_BOARD_ID, is_instance_admin=True, credential="local")
SYSTEM_ACTOR_ID = "system"
