"""The REST API's edge: stage throttling, and API Gateway's own error responses in the contract's shape.

**Throttling.** The stage admits STAGE_RATE requests per second (bursts of STAGE_BURST) across all
routes, and the public webhook endpoint, which anyone on the internet can call without a token, at
most FIRE_RATE/FIRE_BURST of those: a flood on it is answered 429 by API Gateway before any Lambda
runs, and leaves the authenticated routes their share. Lambda concurrency follows (about rate x
latency: 100 rps at 100-300 ms is 10-30 executions), so the API cannot drain the account's pool, and
the scheduler has its own reserved executions besides (functions.py). These sit below the account's
regional API Gateway quota (10,000 rps). Per-client limits stay in the app (per trigger and per source
IP, SPEC §6); a usage plan would need API keys, which the contract's clients do not send.

**Unknown routes and methods** (issue 14) reach the app, which answers them in the contract's shape
(chalicelib/http/application.py): every method of every known path is a route of the app (405 with
`Allow` for the ones it does not serve), and `/api/{proxy+}` catches every path under /api that no
other resource matches (404). Chalice writes no path parameter for a greedy segment, so its `proxy`
parameter is declared here.

**Error responses.** Requests API Gateway answers itself never reach the app: a path outside /api
(API Gateway's 403 "Missing Authentication Token"; here a 404), throttling, a too-large payload, an
integration failure. None of them may repeat the request: API Gateway's own message for a request
with an `Authorization: Bearer …` header on an unknown resource quotes the header, token included, so
every 4xx body here is a fixed text (`$context.error.messageString` only in 5xx, which carry no
request data). They go into the REST API's definition (not separate GatewayResponse resources) so
every deployment of the API carries them.
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


CATCH_ALL = "/api/{proxy+}"
CATCH_ALL_METHODS = ("get", "post", "put", "patch", "delete")


def responses() -> dict[str, Any]:
    return {
        "DEFAULT_4XX": _response(None, json.dumps("Request refused by the API gateway")),
        # $context.error.messageString is the message already quoted as a JSON string.
        "DEFAULT_5XX": _response(None, "$context.error.messageString"),
        "MISSING_AUTHENTICATION_TOKEN": _response("404", json.dumps("Not found")),
        "THROTTLED": _response("429", json.dumps("Too many requests")),
        "REQUEST_TOO_LARGE": _response("413", json.dumps("Request body too large")),
        "UNSUPPORTED_MEDIA_TYPE": _response("415", json.dumps("Unsupported content type")),
    }


def catch_all_paths() -> dict[str, Any]:
    """The greedy route's path parameter, merged into the methods Chalice generates for it."""
    parameter = {"name": "proxy", "in": "path", "required": True, "type": "string"}
    return {CATCH_ALL: {method: {"parameters": [parameter]} for method in CATCH_ALL_METHODS}}


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
        "DefinitionBody": {"x-amazon-apigateway-gateway-responses": responses(), "paths": catch_all_paths()},
        "MethodSettings": method_settings(),
    }}}
