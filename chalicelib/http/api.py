"""The route wrapper every endpoint goes through.

It is the one place that: resolves the principal (via http/principal.py), parses and validates the
JSON body against the route's pydantic model, maps domain errors to `{"error", "details"}` responses,
storage throttling/unavailability to 503 and DynamoDB's item-size refusal to 413 (store/item_limits.py),
turns anything unexpected into a 500 without a stack trace, and writes one JSON log line per request.
It also records each route for the OpenAPI document, and is the last guard of Lambda's response limit:
a response whose proxy-integration envelope would pass 6,291,456 bytes (API Gateway would answer a bare
502) becomes a 500 in the contract's shape. Services keep every response under
chalicelib/response_size.RESPONSE_BUDGET by construction (byte-aware pages, bounded embeds), and
tests/e2e/test_response_sizes.py builds each family's worst case, so reaching the guard is a bug.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from chalice import Blueprint, Response

from chalicelib import clock, response_size
from chalicelib.config import settings
from chalicelib.logic import strict_json
from chalicelib.errors import BadRequest, DomainError, Forbidden, PayloadTooLarge, UnsupportedMediaType
from chalicelib.http import principal as principal_resolver
from chalicelib.http import schema_refs
from chalicelib.logs import log_request
from chalicelib.services.access import permissions
from chalicelib.services.access.principals import Principal
from chalicelib.store import availability, item_limits

logger = logging.getLogger("paperclip")
RETRY_AFTER_SEC = 1  # throttling clears within a second or two; clients back off from there
# Issue 14: a query parameter is honoured or answered with 400 naming it, never silently ignored. A
# route honours exactly the parameters its `query=` declares (so the OpenAPI document lists them).
# The one switch for the rule: off, undeclared parameters are ignored as before.
ENFORCE_QUERY_PARAMS = True


@dataclass
class RouteSpec:
    blueprint: Blueprint
    path: str
    method: str
    handler: Callable[..., Any]
    summary: str
    tag: str
    # A pydantic model (or a schema_refs.SchemaRef naming one, imported on first use); read `body`.
    body_schema: Any = None
    response_schema: Any = None  # a model, list[model] (either may be SchemaRefs), or None for no body; read `response`
    status: int = 200
    public: bool = False
    action: str | None = None  # the permission table's action (services/access/permissions.py); None only when public
    # name -> description, or param(description, **schema) for values narrower than any string; for the docs
    query: dict[str, Any] = field(default_factory=dict)
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> schema, when narrower than a string
    raw_body: bool = False  # the handler reads the raw bytes itself (multipart, webhooks)
    content_type: str | None = None  # documented request content type for raw bodies
    # The raw body's OpenAPI media type object (schema, encoding), built when documenting; default: an object.
    raw_body_doc: Callable[[], dict[str, Any]] | None = None
    extra_statuses: tuple[int, ...] = ()  # error statuses beyond the ones every route documents
    also_succeeds_with: tuple[int, ...] = ()  # other success statuses, with the same response body
    # A non-JSON success body: a function giving its possible content types (read when documenting).
    response_content_types: Callable[[], tuple[str, ...]] | None = None

    @property
    def body(self) -> Any:
        """The request body's pydantic model class, or None (imports its schema module when named by ref)."""
        return schema_refs.resolve(self.body_schema)

    @property
    def response(self) -> Any:
        """The documented response: a model class, list[model], or None."""
        return schema_refs.resolve(self.response_schema)


ROUTES: list[RouteSpec] = []


@dataclass
class Reply:
    body: Any = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class RequestContext:
    principal: Principal
    body: dict[str, Any]
    query: dict[str, str]
    headers: Any  # Chalice's case-insensitive mapping
    raw_body: bytes
    request_id: str
    source_ip: str
    now: Any
    path: str


def route(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    body: Any = None,
    response: Any = None,
    status: int = 200,
    public: bool = False,
    query: dict[str, Any] | None = None,
    raw_body: bool = False,
    content_type: str | None = None,
    extra_statuses: tuple[int, ...] = (),
    also_succeeds_with: tuple[int, ...] = (),
    response_content_types: Callable[[], tuple[str, ...]] | None = None,
    raw_body_doc: Callable[[], dict[str, Any]] | None = None,
    path_params: dict[str, dict[str, Any]] | None = None,
    action: str | None = None,
):
    if not public and action not in permissions.ACTIONS:
        raise ValueError(f"{method} {path}: every non-public route names an action of the permission table")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        spec = RouteSpec(bp, path, method, fn, summary, tag, body, response, status, public, action, query or {},
                         path_params or {}, raw_body, content_type, raw_body_doc, extra_statuses, also_succeeds_with,
                         response_content_types)
        ROUTES.append(spec)

        def view(**path_params: str) -> Response:
            return _handle(spec, bp.current_request, path_params)

        view.__name__ = fn.__name__
        # content_types="*/*": Chalice would otherwise answer 415 itself, in its own error shape.
        bp.route(path, methods=[method], content_types=["*/*"])(view)
        return fn

    return register


def error_body(message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message}
    if details is not None:
        body["details"] = details
    return body


def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=strict_json.dumps(body),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _handle(spec: RouteSpec, request: Any, path_params: dict[str, str]) -> Response:
    started = time.perf_counter()
    request_id = _request_id(request)
    principal: Principal | None = None
    try:
        now = clock.current().now()
        headers = request.headers
        raw = request.raw_body or b""
        if len(raw) > settings().max_body_bytes:
            raise PayloadTooLarge("Request body too large", {"maxBytes": settings().max_body_bytes})
        if not spec.public:
            principal = principal_resolver.resolve(headers, now)
        # Before the permission precheck: an undeclared parameter is 400 for any authenticated caller
        # (it depends only on the route, so it reveals nothing about the entities).
        query = dict(request.query_params or {})
        _check_query(spec, query)
        if principal is not None:
            _precheck(spec, principal, path_params)
        body = _parse_body(spec, headers, raw) if not spec.raw_body else {}
        ctx = RequestContext(
            principal=principal,  # type: ignore[arg-type]
            body=body,
            query=query,
            headers=headers,
            raw_body=raw,
            request_id=request_id,
            source_ip=_source_ip(request),
            now=now,
            path=request.path,
        )
        result = spec.handler(ctx, **path_params)
        response = _to_response(spec, result)
    except DomainError as exc:
        response = _json_response(exc.status, error_body(exc.message, exc.details), exc.headers)
    except Exception as exc:
        if availability.is_transient(exc):  # throttled or DynamoDB unreachable: not a bug, retry later
            logger.warning("storage unavailable", extra={"requestId": request_id, "error": repr(exc)[:300]})
            response = _json_response(503, error_body("Service temporarily unavailable; retry shortly",
                                                      {"requestId": request_id}), {"Retry-After": str(RETRY_AFTER_SEC)})
        elif item_limits.is_item_too_large(exc):  # DynamoDB's 400 KB item limit: a refusal, not a crash
            logger.warning("item too large", extra={"requestId": request_id, "error": repr(exc)[:300]})
            response = _json_response(413, error_body(item_limits.ITEM_TOO_LARGE_MESSAGE,
                                                      {"requestId": request_id, "maxItemBytes": 400 * 1024}))
        else:  # a bug: log it with the request id, never show it
            logger.exception("unhandled error", extra={"requestId": request_id})
            response = _json_response(500, error_body("Internal server error", {"requestId": request_id}))
    response.headers["X-Request-Id"] = request_id
    response = _within_lambda_limit(spec, response, request_id)
    log_request(request_id, principal, spec, response.status_code, (time.perf_counter() - started) * 1000)
    return response


def _within_lambda_limit(spec: RouteSpec, response: Response, request_id: str) -> Response:
    """The response itself, or a 500 when its envelope would pass Lambda's limit (a bug: see the
    module docstring). Bodies too short to reach the limit whatever their characters skip the
    measurement."""
    body = response.body
    if isinstance(body, str) and response_size.surely_fits(len(body)):
        return response
    if isinstance(body, bytes) and (len(body) + 2) // 3 * 4 + 64 * 1024 < response_size.LAMBDA_RESPONSE_LIMIT:
        return response  # base64 is ASCII that JSON does not escape
    try:
        size = response_size.envelope_len(response.to_dict(spec.blueprint.current_app.api.binary_types))
    except TypeError:  # a bytes body of a type not declared binary: never base64-encoded, measured raw
        size = len(body) + 64 * 1024
    if size < response_size.LAMBDA_RESPONSE_LIMIT:
        return response
    logger.error("response over the Lambda limit", extra={"requestId": request_id, "route": f"{spec.method} {spec.path}",
                                                           "bytes": size})
    return _json_response(500, error_body("Response too large", {
        "requestId": request_id, "bytes": size, "maxBytes": response_size.LAMBDA_RESPONSE_LIMIT,
    }), {"X-Request-Id": request_id})


def _precheck(spec: RouteSpec, principal: Principal, path_params: dict[str, str]) -> None:
    """The permission table's refusals that need no read: a principal kind the action denies, an
    instance-level action, and a /companies/{companyId}/… path outside the caller's companies (403).
    Services decide the rest once they have read the entity (permissions.authorize)."""
    permissions.precheck(principal, spec.action)
    # SPEC §1: /companies/{otherId}/… is 403; /companies/{otherId} itself is a read by id (404, in the service).
    if spec.path.startswith("/companies/{companyId}/") and not principal.can_access_company(path_params["companyId"]):
        raise Forbidden("You do not have access to this company")


def _check_query(spec: RouteSpec, query: dict[str, str]) -> None:
    """400 naming every query parameter the route does not declare (ENFORCE_QUERY_PARAMS)."""
    if not ENFORCE_QUERY_PARAMS:
        return
    unknown = sorted(name for name in query if name not in spec.query)
    if unknown:
        raise BadRequest("Unsupported query parameter(s): " + ", ".join(unknown),
                         {name: "unknown query parameter" for name in unknown})


def _request_id(request: Any) -> str:
    try:
        return request.context.get("requestId") or str(uuid.uuid4())
    except AttributeError:
        return str(uuid.uuid4())


def _source_ip(request: Any) -> str:
    try:
        return (request.context.get("identity") or {}).get("sourceIp") or "unknown"
    except AttributeError:
        return "unknown"


def _parse_body(spec: RouteSpec, headers: Any, raw: bytes) -> dict[str, Any]:
    if spec.body_schema is None:
        return {}
    if raw.strip():
        content_type = (headers.get("content-type") or "application/json").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType("Content-Type must be application/json", {"contentType": content_type})
        try:
            data = strict_json.loads(raw)
        except strict_json.JsonError as exc:
            raise BadRequest("Malformed JSON body", {"body": str(exc)})
    else:
        data = {}
    if not isinstance(data, dict):
        raise BadRequest("Request body must be a JSON object")
    from pydantic import ValidationError  # first use only: GET routes never import pydantic (schema_refs)

    try:
        model = spec.body.model_validate(data)
    except ValidationError as exc:
        raise BadRequest("Validation failed", validation_details(exc))
    return model.model_dump(by_alias=True, exclude_unset=True)


def validation_details(exc: Any) -> dict[str, str]:
    """{"field.path": message} of a pydantic ValidationError, the first message per field."""
    details: dict[str, str] = {}
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        details.setdefault(loc, message)
    return details


def _to_response(spec: RouteSpec, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if not isinstance(result, Reply):
        result = Reply(body=result)
    status = result.status or spec.status
    if status == 204:
        return Response(body="", status_code=204, headers=result.headers)
    if result.content_type != "application/json":
        return Response(body=result.body, status_code=status, headers={"Content-Type": result.content_type, **result.headers})
    return _json_response(status, result.body, result.headers)
