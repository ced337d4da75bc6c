"""The OpenAPI 3.1 document, generated from the same pydantic models that validate requests."""
from __future__ import annotations

import functools
import re
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.config import settings
from chalicelib.http.api import ROUTES, RouteSpec
from chalicelib.http.schemas.base import ErrorBody

REF = "#/components/schemas/{model}"


def _models_of(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_of(arg)]


def _schema_for(annotation: Any) -> dict[str, Any]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"$ref": REF.format(model=annotation.__name__)}
    if typing.get_origin(annotation) is list:
        return {"type": "array", "items": _schema_for(typing.get_args(annotation)[0])}
    return {}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}}}


def _success(spec: RouteSpec, status: int) -> dict[str, Any]:
    if status == 204:
        return {"description": "Done"}
    if spec.response_content_types:
        # Bytes as stored; a JSON file is any JSON value, everything else an opaque string.
        return {"description": "Success", "content": {
            ct: {"schema": {} if ct == "application/json" else {"type": "string"}} for ct in spec.response_content_types()
        }}
    schema = _schema_for(spec.response) if spec.response is not None else {}
    return {"description": "Success", "content": {"application/json": {"schema": schema}}}


ERRORS = {
    400: "Invalid request", 401: "Not authenticated", 403: "Not allowed", 404: "Not found", 406: "Not acceptable", 409: "Conflict",
    413: "Body too large", 415: "Unsupported content type", 422: "Semantic violation", 429: "Rate limited",
    503: "Unavailable",
}


def _operation(spec: RouteSpec) -> dict[str, Any]:
    params = [
        {"name": name, "in": "path", "required": True,
         "schema": spec.path_params.get(name) or {"type": "string", "minLength": 1}}
        for name in re.findall(r"{(\w+)}", spec.path)
    ]
    for name, doc in spec.query.items():
        desc, schema = (doc, {"type": "string"}) if isinstance(doc, str) else (doc["description"], doc["schema"])
        params.append({"name": name, "in": "query", "required": False, "description": desc, "schema": schema})
    op: dict[str, Any] = {
        "operationId": f"{spec.handler.__module__.rsplit('.', 1)[-1]}_{spec.handler.__name__}",
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": params,
        "responses": {},
    }
    if spec.public:
        op["security"] = []
    if spec.body is not None:
        # An empty body counts as {}: the body is optional exactly when the model has no required field.
        required = any(f.is_required() for f in spec.body.model_fields.values())
        op["requestBody"] = {"required": required, "content": {"application/json": {"schema": _schema_for(spec.body)}}}
    elif spec.raw_body and spec.content_type:
        media = spec.raw_body_doc() if spec.raw_body_doc else {"schema": {"type": "object"}}
        op["requestBody"] = {"required": True, "content": {spec.content_type: media}}
    for status in (spec.status, *spec.also_succeeds_with):
        op["responses"][str(status)] = _success(spec, status)
    codes = set(spec.extra_statuses) | {400, 404, 413, 415, 422, 409, 429}
    if not spec.public:
        codes |= {401, 403}
    for code in sorted(codes):
        op["responses"][str(code)] = _error(ERRORS.get(code, "Error"))
    return op


@functools.lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    models: dict[str, type[BaseModel]] = {"ErrorBody": ErrorBody}
    for spec in ROUTES:
        for m in _models_of(spec.body) + _models_of(spec.response):
            models[m.__name__] = m
    _, defs = models_json_schema(
        [(m, "validation") for m in models.values()], ref_template=REF, by_alias=True
    )
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        paths.setdefault(f"/api{spec.path}", {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Paperclip control-plane API", "version": settings().version},
        "servers": [{"url": settings().public_base_url}],
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
