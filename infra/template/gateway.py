"""API Gateway's own error responses in the contract's `{"error", "details"}` shape.

Requests API Gateway answers itself never reach the app: an unknown path or method (which API Gateway
reports as a 403 "Missing Authentication Token"; here a 404), throttling, a too-large payload, an
integration failure. They go into the REST API's definition (not separate GatewayResponse resources)
so every deployment of the API carries them.
"""
from __future__ import annotations

import json
from typing import Any

_DETAILS = '{"requestId":"$context.requestId"}'


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


def resources() -> dict[str, Any]:
    return {"RestAPI": {"Properties": {"DefinitionBody": {"x-amazon-apigateway-gateway-responses": responses()}}}}
