"""The REST API's edge: stage throttling, and API Gateway's own error responses in the contract's shape.

**Throttling.** The stage admits STAGE_RATE requests per second (bursts of STAGE_BURST) across all
routes, and the public webhook endpoint, which anyone on the internet can call without a token, at
most FIRE_RATE/FIRE_BURST of those: a flood on it is answered 429 by API Gateway before any Lambda
runs, and leaves the authenticated routes their share. Lambda concurrency follows (about rate x
latency: 100 rps at 100-300 ms is 10-30 executions), so the API cannot drain the account's pool, and
the scheduler has its own reserved executions besides (functions.py). These sit below the account's
regional API Gateway quota (10,000 rps). Per-client limits stay in the app (per trigger and per source
IP, SPEC §6); a usage plan would need API keys, which the contract's clients do not send.

**Error responses.** Requests API Gateway answers itself never reach the app: an unknown path or
method (which API Gateway reports as a 403 "Missing Authentication Token"; here a 404), throttling, a
too-large payload, an integration failure. They go into the REST API's definition (not separate
GatewayResponse resources) so every deployment of the API carries them.
"""
from __future__ import annotations

import json
from typing import Any

_DETAILS = '{"requestId":"$context.requestId"}'
STAGE_RATE, STAGE_BURST = 100, 200  # requests per second, steady and burst, all routes together
FIRE_RATE, FIRE_BURST = 25, 50  # the public webhook endpoint's share
FIRE_PATH = "/api/routine-triggers/public/{publicId}/fire"


def _response(status: str | None, error: str) -> dict[str, Any]:
    body = '{"error":%s,"details":%s}' % (error, _DETAILS)
    response: dict[str, Any] = {
        "responseParameters": {"gatewayresponse.header.Content-Type": "'application/json'"},
        "responseTemplates": {"application/json": body},
    }
    if status:
        response["statusCode"] = status
    return response


def responses() -> dict[str, Any]:
    return {
        # $context.error.messageString is the message already quoted as a JSON string.
        "DEFAULT_4XX": _response(None, "$context.error.messageString"),
        "DEFAULT_5XX": _response(None, "$context.error.messageString"),
        "MISSING_AUTHENTICATION_TOKEN": _response("404", json.dumps("Not found")),
    }


def method_path(path: str) -> str:
    """A resource path as a stage's MethodSettings spell it: every "/" becomes "~1", after a leading "/"
    (CloudFormation's MethodSetting docs: /resource/subresource is /~1resource~1subresource)."""
    return "/" + path.replace("/", "~1")


def method_settings() -> list[dict[str, Any]]:
    return [
        {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": STAGE_RATE, "ThrottlingBurstLimit": STAGE_BURST},
        {"ResourcePath": method_path(FIRE_PATH), "HttpMethod": "POST",
         "ThrottlingRateLimit": FIRE_RATE, "ThrottlingBurstLimit": FIRE_BURST},
    ]


def resources() -> dict[str, Any]:
    return {"RestAPI": {"Properties": {
        "DefinitionBody": {"x-amazon-apigateway-gateway-responses": responses()},
        "MethodSettings": method_settings(),
    }}}
