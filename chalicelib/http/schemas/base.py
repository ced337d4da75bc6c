"""Base classes for request and response schemas.

Request bodies are strict (no type coercion: "5" is not 5) and closed (an unknown field is a 400 naming
it). Field names are snake_case in Python and camelCase on the wire.
"""
from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel


class RequestBody(BaseModel):
    # defer_build: the validator is built when a route first validates with this model, not for all ~60
    # models at import (that was most of the app's cold start; pydantic docs, "defer_build").
    model_config = ConfigDict(extra="forbid", strict=True, alias_generator=to_camel, populate_by_name=False,
                              defer_build=True)


class ResponseBody(BaseModel):
    """Documentation of a response; services build the JSON, tests check it against these."""

    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True, defer_build=True)


class ErrorBody(BaseModel):
    model_config = ConfigDict(defer_build=True)

    error: str
    details: Optional[dict] = None


def text(min_length: int = 0, max_length: int = 10_000, strip: bool = False):
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, strip_whitespace=strip)]


Id = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Timestamp = str


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def not_null(description: str | None = None) -> Any:
    """An optional field that may be omitted but not set to null (the null default is never validated,
    an explicit null is a 400); documented without the null default. For PATCH fields the entity cannot
    be without (names, titles, statuses)."""
    return Field(None, description=description, json_schema_extra=_no_default)
