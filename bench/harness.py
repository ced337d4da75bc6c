"""What every benchmark shares: the embedded local AWS, the app called in-process, a seeded world.

The set-up follows tests/conftest.py (same moto server from infra/local/aws.py, same provisioning, same
chalice.test client) without importing tests/, so the benchmarks do not break when fixtures change.
Authentication is on (`AUTH_MODE=authenticated`): every measured request carries a real board token,
agent key or run JWT, so resolving the principal is part of what is measured.
"""
from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from infra.local.aws import local_aws_env, provision, start_moto

BENCH_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)

BENCH_ENV = {
    "PAPERCLIP_STAGE": "bench",
    "AUTH_MODE": "authenticated",
    "PAPERCLIP_JWT_SECRET": "bench-secret-for-run-jwts-0123456789abcdef",
    "PAPERCLIP_KMS_KEY_ID": "alias/paperclip-bench",
    # Repetitions fire one webhook many times within the fixed minute. The limiter's cost (one UpdateItem
    # per limit) does not depend on the limit, so raising it changes no count, only avoids 429s.
    "PAPERCLIP_WEBHOOK_RATE_PER_TRIGGER": "1000000",
    "PAPERCLIP_WEBHOOK_RATE_PER_IP": "1000000",
    "LOG_LEVEL": "WARNING",
}


@contextmanager
def local_aws() -> Iterator[str]:
    """A fresh moto server with every table, the bucket and the KMS key; yields its endpoint.

    Must run before chalicelib is imported: table names are fixed from the environment at import.
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines
    server, endpoint = start_moto()
    os.environ.update(local_aws_env(endpoint))
    os.environ.update(BENCH_ENV)
    try:
        from chalicelib.config import jwt_secret, settings

        # Fill the caches now: chalice.test swaps a stage's environment in while it handles a request.
        settings.cache_clear()
        settings()
        jwt_secret()
        provision(assume_empty=True)
        yield endpoint
    finally:
        server.stop()


@contextmanager
def fixed_clock(when: datetime = BENCH_NOW) -> Iterator[Any]:
    """A clock that stands still: the runs are repeatable, and a key's once-a-minute lastUsedAt write
    happens only on its first use (see `World.warm`)."""
    from chalicelib import clock

    fake = clock.FakeClock(when)
    previous = clock.use(fake)
    try:
        yield fake
    finally:
        clock.use(previous)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class AppClient:
    """Calls the Chalice app in-process (full routing and the route wrapper, no sockets)."""

    def __init__(self, chalice_client: Any):
        self._client = chalice_client

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None, run_id: str | None = None,
             raw: bytes | None = None, headers: dict[str, str] | None = None) -> Response:
        sent = {"Content-Type": "application/json"}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if run_id:
            sent["X-Paperclip-Run-Id"] = run_id
        sent.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        reply = self._client.http.request(method, path, headers=sent, body=payload)
        return Response(reply.status_code, {k.lower(): v for k, v in reply.headers.items()}, reply.body or b"")


@contextmanager
def app_client() -> Iterator[AppClient]:
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield AppClient(client)


class SetupFailed(AssertionError):
    pass


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        raise SetupFailed(f"{what}: expected {status}, got {response.status} {response.body[:300]!r}")
    return response


@dataclass
class World:
    """One company as its operators see it: an instance admin, a board member (the company's creator),
    a project, a goal, two agents with API keys, and a running heartbeat run of Alice with its JWT.

    `cache` holds collections seeded once per world (the list benchmarks' items)."""

    client: AppClient
    admin: str
    board: str
    cid: str
    prefix: str
    project: str
    goal: str
    alice: str
    bob: str
    alice_key: str
    bob_key: str
    alice_run: str
    alice_jwt: str
    cache: dict[str, Any] = field(default_factory=dict)

    def post(self, path: str, body: Any = None, *, token: str | None = None, status: int = 201, **kw: Any) -> Any:
        return expect(self.client.call("POST", path, body, token=token or self.board, **kw), status, f"POST {path}").json

    def get(self, path: str, *, token: str | None = None) -> Any:
        return expect(self.client.call("GET", path, token=token or self.board), 200, f"GET {path}").json

    def warm(self, token: str) -> None:
        """Use a fresh token once, so the measured calls see the steady state (lastUsedAt is written at most
        once a minute per key; the standing clock keeps it fresh)."""
        expect(self.client.call("GET", f"/api/companies/{self.cid}", token=token), 200, "warm-up")

    def seeded(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self.cache:
            self.cache[name] = make()
        return self.cache[name]


def board_token(*, instance_admin: bool, name: str) -> str:
    """A board user straight in the tables, as `tools.admin create-board-user` makes the first one."""
    from chalicelib import clock
    from chalicelib.services.org import board_users

    return board_users.create(None, {"name": name, "isInstanceAdmin": instance_admin}, clock.current().now())[1]


def build_world(client: AppClient, name: str = "Bench Corp") -> World:
    admin = board_token(instance_admin=True, name="Ops")
    board = board_token(instance_admin=False, name="Operator")

    def post(path: str, body: Any, token: str = board, status: int = 201) -> Any:
        return expect(client.call("POST", path, body, token=token), status, f"POST {path}").json

    company = post("/api/companies", {"name": name})
    cid = company["id"]
    alice = post(f"/api/companies/{cid}/agents", {"name": "Alice", "role": "engineer"})["id"]
    bob = post(f"/api/companies/{cid}/agents", {"name": "Bob Builder"})["id"]
    invoked = post(f"/api/agents/{alice}/heartbeat/invoke", None, status=200)
    world = World(
        client=client, admin=admin, board=board, cid=cid, prefix=company["issuePrefix"],
        project=post(f"/api/companies/{cid}/projects", {"name": "Launch"})["id"],
        goal=post(f"/api/companies/{cid}/goals", {"title": "Grow"})["id"],
        alice=alice, bob=bob,
        alice_key=post(f"/api/agents/{alice}/keys", {"name": "bench"})["token"],
        bob_key=post(f"/api/agents/{bob}/keys", {"name": "bench"})["token"],
        alice_run=invoked["run"]["id"], alice_jwt=invoked["token"],
    )
    for token in (admin, world.alice_key, world.bob_key):
        world.warm(token)
    return world


@contextmanager
def bench_world() -> Iterator[World]:
    """Everything a benchmark script needs, torn down afterwards."""
    with local_aws(), fixed_clock(), app_client() as client:
        yield build_world(client)
