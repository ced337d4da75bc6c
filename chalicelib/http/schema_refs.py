"""Request and response schemas named by routes without importing them (issue 11, cold start).

The pydantic models under chalicelib/http/schemas/ and pydantic itself were over half of `import app`
(bench/RESULTS.md, "Cold start"). Routes name their models through a `SchemaModule`; the route wrapper
resolves a name when a request first validates a body with it, and the OpenAPI document when it is
built. A request without a JSON body (every GET, most DELETEs) never imports pydantic at all.

    issue_schemas = SchemaModule("issues")        # chalicelib/http/schemas/issues.py, not imported
    body=issue_schemas.IssueCreate                # a SchemaRef
    response=list[issue_schemas.IssueOut]         # list[SchemaRef]; resolve() gives list[IssueOut]

A misspelt name fails when resolved: tests/unit/test_schema_refs.py resolves every route's schemas.
"""
from __future__ import annotations

import importlib
import typing
from dataclasses import dataclass
from typing import Any

PACKAGE = "chalicelib.http.schemas"


@dataclass(frozen=True)
class SchemaRef:
    """A model `name` of the module `module` (a dotted path), imported on `resolve()`."""

    module: str
    name: str

    def resolve(self) -> type:
        model = getattr(importlib.import_module(self.module), self.name, None)
        if not isinstance(model, type):
            raise LookupError(f"{self.module} has no schema {self.name}")
        return model


class SchemaModule:
    """The models of chalicelib/http/schemas/<name>.py as SchemaRefs: `SchemaModule("issues").IssueOut`."""

    def __init__(self, name: str) -> None:
        self._module = f"{PACKAGE}.{name}"

    def __getattr__(self, name: str) -> SchemaRef:
        if name.startswith("_"):
            raise AttributeError(name)
        return SchemaRef(self._module, name)


def resolve(annotation: Any) -> Any:
    """The annotation with every SchemaRef replaced by its model: a SchemaRef → its class,
    list[SchemaRef] → list[class]; anything else (a class, None) as it is."""
    if isinstance(annotation, SchemaRef):
        return annotation.resolve()
    if typing.get_origin(annotation) is list:
        return list[resolve(typing.get_args(annotation)[0])]
    return annotation
