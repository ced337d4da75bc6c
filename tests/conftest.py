"""Test fixtures: one moto *server* for the session (thread-safe, unlike the in-process mock), reset and
re-provisioned before each test that touches AWS; a fake clock; an in-process API client.

The environment is set at import time because table names and endpoints are read when chalicelib is
first imported.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from typing import Any

import pytest

from infra.local.aws import free_port, local_aws_env, provision, reset_moto, start_moto

_MOTO_PORT = free_port()
_ENDPOINT = f"http://127.0.0.1:{_MOTO_PORT}"
os.environ.update(local_aws_env(_ENDPOINT))
os.environ.update({
    "PAPERCLIP_STAGE": "test",
    "AUTH_MODE": "local_trusted",
    "PAPERCLIP_JWT_SECRET": "test-secret-for-run-jwts-0123456789abcdef",
    "PAPERCLIP_KMS_KEY_ID": "alias/paperclip-test",
    "LOG_LEVEL": "WARNING",
})


logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def moto_endpoint():
    server, endpoint = start_moto(_MOTO_PORT)
    yield endpoint
    server.stop()


@pytest.fixture
def aws(moto_endpoint):
    """A fresh, provisioned local AWS for this test."""
    reset_moto(moto_endpoint)
    provision(assume_empty=True)
    return moto_endpoint


@pytest.fixture
def clock():
    from chalicelib import clock as clock_module

    fake = clock_module.FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc))
    previous = clock_module.use(fake)
    yield fake
    clock_module.use(previous)


class ApiResponse:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:300]!r}>"


class Api:
    """Calls the Chalice app in-process through chalice.test (full routing, no sockets)."""

    def __init__(self, client):
        self._client = client

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None,
             run_id: str | None = None, headers: dict[str, str] | None = None, raw: bytes | str | None = None) -> ApiResponse:
        hdrs = {"Content-Type": "application/json"}
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if run_id:
            hdrs["X-Paperclip-Run-Id"] = run_id
        hdrs.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else b"")
        response = self._client.http.request(method, path, headers=hdrs, body=payload)
        return ApiResponse(response.status_code, dict(response.headers), response.body or b"")

    def get(self, path: str, **kw) -> ApiResponse:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw) -> ApiResponse:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw) -> ApiResponse:
        return self.call("PATCH", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw) -> ApiResponse:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw) -> ApiResponse:
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(aws, clock):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def world(api):
    """A company with a project, a goal and two agents, created through the API as the local board."""
    from tests.helpers import make_world

    return make_world(api)


@pytest.fixture
def live_server(aws):
    """The app behind a real threaded HTTP server (chalice local's), for concurrency tests."""
    import threading

    from chalice.config import Config
    from chalice.local import LocalDevServer, ThreadedHTTPServer

    from app import app

    class RaceReadyServer(ThreadedHTTPServer):
        # socketserver's default listen backlog is 5: fifty clients connecting at once overflow
        # it and some see their connection reset before the app ever runs.
        request_queue_size = 256

    port = free_port()
    config = Config.create(chalice_stage="local", app_name="paperclip")
    server = LocalDevServer(app, config, "127.0.0.1", port, server_cls=RaceReadyServer)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server.server_close()


@pytest.fixture
def settings_env(monkeypatch):
    """Change settings through the environment for one test (settings() is cached per process)."""
    from chalicelib.config import settings

    def apply(**env: str) -> None:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        refresh()

    def refresh() -> None:
        # Re-read now, outside any request: chalice.test swaps in a stage's environment while it
        # handles a request, and a cache refilled there would hold that stage's values.
        settings.cache_clear()
        settings()

    yield apply
    monkeypatch.undo()
    refresh()


@pytest.fixture
def authenticated(settings_env):
    settings_env(AUTH_MODE="authenticated")
