"""One structured JSON line per request, with what an operator needs to trace it in CloudWatch."""
from __future__ import annotations

import dataclasses
import json
import logging

import pytest

from chalicelib import logs


@pytest.fixture
def access_log(caplog, monkeypatch):
    """The request log lines, as parsed JSON. Tests run at LOG_LEVEL=WARNING; deployed stages at INFO."""
    info = dataclasses.replace(logs.settings(), log_level="INFO")
    monkeypatch.setattr(logs, "settings", lambda: info)
    logger = logging.getLogger("paperclip.access")
    logger.addHandler(caplog.handler)  # the access logger does not propagate to the root logger
    caplog.clear()
    yield lambda: [json.loads(r.getMessage()) for r in caplog.records if r.name == "paperclip.access"]
    logger.removeHandler(caplog.handler)


def test_an_agent_request_logs_one_line_with_its_principal_route_status_and_latency(api, world, access_log):
    response = api.get(f"/api/agents/{world.alice['id']}", token=world.alice_key)
    assert response.status == 200
    lines = access_log()
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"type", "requestId", "principalKind", "principalId", "route", "status", "latencyMs"}
    assert line["type"] == "request"
    assert line["requestId"] == response.headers["x-request-id"]
    assert (line["principalKind"], line["principalId"]) == ("agent", world.alice["id"])
    assert line["route"] == "GET /api/agents/{agentId}"  # the route template: no ids in the route field
    assert line["status"] == 200
    assert isinstance(line["latencyMs"], (int, float)) and line["latencyMs"] >= 0


def test_a_failed_request_is_logged_with_its_status_and_no_principal(api, world, access_log):
    response = api.get(f"/api/agents/{world.alice['id']}", token="pcp_" + "0" * 48)
    assert response.status == 401
    (line,) = access_log()
    assert line["status"] == 401
    assert line["principalKind"] is None and line["principalId"] is None
    assert line["requestId"] == response.headers["x-request-id"]
    assert "pcp_" not in json.dumps(line)  # credentials never reach the log


def test_the_local_board_is_logged_as_such(api, access_log):
    response = api.get("/api/companies")
    assert response.status == 200
    (line,) = access_log()
    assert (line["principalKind"], line["principalId"], line["route"]) == ("local_board", "local-board", "GET /api/companies")
