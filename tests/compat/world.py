"""Setup through the in-process API as the board user (the call under test goes through a client)."""
from __future__ import annotations

from typing import Any


class World:
    """The board user's company and builders for what a test needs in it. Each builder asserts its
    own status, so a setup failure is not mistaken for a client failure."""

    def __init__(self, api, board):
        self.api = api
        self.board = board
        self.cid = board.cid
        self.prefix = board.prefix

    def post(self, path: str, body: Any, status: int = 201, **kw) -> Any:
        r = self.api.post(path, body, token=kw.pop("token", self.board.token), **kw)
        assert r.status == status, (path, r)
        return r.json

    def get(self, path: str, **kw) -> Any:
        r = self.api.get(path, token=kw.pop("token", self.board.token), **kw)
        assert r.status == 200, (path, r)
        return r.json

    def agent(self, name: str = "Alice", **fields) -> dict:
        return self.post(f"/api/companies/{self.cid}/agents", {"name": name, **fields})

    def key(self, agent: dict) -> str:
        return self.post(f"/api/agents/{agent['id']}/keys", {"name": "compat"})["token"]

    def run(self, agent: dict) -> tuple[str, str]:
        """Starts a heartbeat run of `agent` with the board's token: (run id, run JWT)."""
        r = self.api.post(f"/api/agents/{agent['id']}/heartbeat/invoke", token=self.board.token)
        assert r.status in (200, 202), r
        return r.json["run"]["id"], r.json["token"]

    def issue(self, title: str = "Fix the build", **fields) -> dict:
        return self.post(f"/api/companies/{self.cid}/issues", {"title": title, **fields})

    def project(self, name: str = "Launch", **fields) -> dict:
        return self.post(f"/api/companies/{self.cid}/projects", {"name": name, **fields})

    def goal(self, title: str = "Grow", **fields) -> dict:
        return self.post(f"/api/companies/{self.cid}/goals", {"title": title, **fields})

    def comments(self, issue: dict, n: int, clock) -> list[str]:
        """Posts comments c0..c{n-1} one second apart (comments are ordered by createdAt, then id: with
        the FakeClock frozen, same-instant comments would be ordered by their random ids)."""
        ids = []
        for i in range(n):
            clock.advance(seconds=1)
            ids.append(self.post(f"/api/issues/{issue['id']}/comments", {"body": f"c{i}"})["id"])
        return ids

    def checkout(self, issue: dict, agent: dict, run_id: str, token: str) -> dict:
        return self.post(f"/api/issues/{issue['id']}/checkout",
                         {"agentId": agent["id"], "expectedStatuses": ["todo", "backlog", "blocked"]},
                         status=200, token=token, run_id=run_id)

    def routine(self, agent: dict, project: dict, title: str = "Daily report", **fields) -> dict:
        return self.post(f"/api/companies/{self.cid}/routines",
                         {"title": title, "assigneeAgentId": agent["id"], "projectId": project["id"], **fields})
