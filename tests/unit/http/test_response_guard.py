"""The route wrapper's last guard: no response leaves over Lambda's 6 MB limit (issue #11)."""
from __future__ import annotations

import json
from types import SimpleNamespace

from chalice import Response

from chalicelib.http import api

SPEC = SimpleNamespace(method="GET", path="/things", blueprint=SimpleNamespace(
    current_app=SimpleNamespace(api=SimpleNamespace(binary_types=["application/octet-stream"]))))


def _guard(body, content_type="application/json"):
    return api._within_lambda_limit(SPEC, Response(body=body, status_code=200, headers={"Content-Type": content_type}), "req-1")


def test_a_response_under_the_limit_passes_unchanged():
    response = Response(body="[]", status_code=200, headers={})
    assert api._within_lambda_limit(SPEC, response, "req-1") is response
    near = json.dumps(["a" * 6_000_000])  # too long to skip the measurement, short enough to fit
    assert _guard(near).body == near


def test_a_response_over_the_limit_becomes_a_500_in_the_contracts_shape():
    body = json.dumps(["\\u0001" * 1_000_000])  # 6 MB of text, 7 MB once escaped
    response = _guard(body)
    assert response.status_code == 500
    error = json.loads(response.body)
    assert error["error"] == "Response too large"
    assert error["details"]["requestId"] == "req-1" and error["details"]["maxBytes"] == 6_291_456
    assert error["details"]["bytes"] > 6_291_456
    assert response.headers["X-Request-Id"] == "req-1"


def test_binary_bodies_count_in_base64():
    assert _guard(b"\x00" * 4_500_000, "application/octet-stream").status_code == 200  # 6,000,000 in base64
    assert _guard(b"\x00" * 4_800_000, "application/octet-stream").status_code == 500  # 6,400,000
