"""Test fixtures: the local AWS servers for the session, emptied before each test that touches AWS;
a fake clock; an in-process API client.

DynamoDB is Amazon's DynamoDB Local (in memory): one Java process for the whole run, started by the
first process that imports this file (pytest-xdist's controller, or pytest alone) and inherited by
the workers through the environment; each worker has its own database (DynamoDB Local keeps one per
access key) and empties its tables before each test (infra/local/table_reset.py). S3 and KMS are a
moto *server* per worker (thread-safe, unlike the in-process mock), reset before each test.
`PAPERCLIP_DYNAMODB_ENGINE=moto` runs the suite on the patched moto server for DynamoDB too.

The environment is set at import time because table names and endpoints are read when chalicelib is
first imported.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
from datetime import datetime, timezone
from typing import Any

import pytest

from infra.local.aws import (dynamodb_engine, free_port, local_aws_env, provision, provision_bucket_and_key,
                             reset_moto, start_moto)

ENGINE = dynamodb_engine()
_DDB_ENDPOINT_VAR = "PAPERCLIP_TEST_DYNAMODB_ENDPOINT"  # handed from the xdist controller to its workers


def _shared_dynamodb_local() -> str:
    endpoint = os.environ.get(_DDB_ENDPOINT_VAR)
    if not endpoint:
        from infra.local.dynamodb_local import QUICK_START, DynamoDBLocal

        engine = DynamoDBLocal(java_opts=QUICK_START).start()
        atexit.register(engine.stop)  # and the JVM dies with this process anyway (PDEATHSIG)
        endpoint = os.environ[_DDB_ENDPOINT_VAR] = engine.endpoint
    return endpoint


_MOTO_PORT = free_port()
_ENDPOINT = f"http://127.0.0.1:{_MOTO_PORT}"
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.update(local_aws_env(
    _ENDPOINT,
    dynamodb_endpoint=_shared_dynamodb_local() if ENGINE == "dynamodb-local" else None,
    access_key=f"test{_WORKER}",
))
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


@pytest.fixture(scope="session")
def _table_reset(moto_endpoint):
    """Creates the tables once per worker (DynamoDB Local keeps them, TTL off: the tests' clock is
    fake) and returns their emptier."""
    if ENGINE == "moto":
        yield None  # the moto reset drops the tables with everything else
        return
    import botocore.session

    from chalicelib.config import settings
    from chalicelib.store.registry import ALL_MODELS
    from infra.local.table_reset import TableReset

    client = botocore.session.get_session().create_client("dynamodb", region_name=settings().region)
    reset = TableReset(client, ALL_MODELS)
    reset.create_tables()  # without TTL: see infra/local/table_reset.py
    yield reset
    reset.close()


@pytest.fixture
def aws(moto_endpoint, _table_reset):
    """A fresh, provisioned local AWS for this test: empty tables, the bucket and the KMS key."""
    reset_moto(moto_endpoint)
    if _table_reset is None:
        provision(assume_empty=True)
    else:
        _table_reset.empty_all()
        provision_bucket_and_key(assume_empty=True)
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
    """The app behind a real threaded HTTP server (the one `make run` uses), for concurrency tests."""
    from app import app
    from infra.local import serve

    server = serve.make_server(app, "127.0.0.1", 0)
    serve.serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server.server_address[1]}"
    serve.stop(server)


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
