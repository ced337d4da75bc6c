"""Query-string parsing shared by list endpoints."""
from __future__ import annotations

from typing import Any, Callable, get_args

from chalicelib.errors import BadRequest
from chalicelib.http.api import Reply, RequestContext
from chalicelib.store.pages import Page


def limit(ctx: RequestContext, default: int = 50, low: int = 1, high: int = 200) -> int:
    raw = ctx.query.get("limit")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest("limit must be an integer", {"limit": raw})
    return max(low, min(high, value))


def page_reply(page: Page, serialize: Callable[[Any], Any]) -> Reply:
    headers = {"X-Next-Cursor": page.next_cursor} if page.next_cursor else {}
    return Reply(body=[serialize(item) for item in page.items], headers=headers)


def param(description: str, **schema: Any) -> dict[str, Any]:
    """A documented query parameter whose values are narrower than any string."""
    return {"description": description, "schema": {"type": "string", **schema}}


def one_of(values: Any) -> dict[str, Any]:
    """A query schema for one value of a Literal type."""
    return {"enum": list(get_args(values))}


def comma_separated(values: Any) -> dict[str, Any]:
    """A query schema for a comma-separated list of values of a Literal type."""
    alternatives = "|".join(get_args(values))
    return {"pattern": f"^({alternatives})(,({alternatives}))*$"}


PAGING = {
    "limit": param("page size (clamped to 1..200, default 50)", type="integer"),
    "cursor": "the X-Next-Cursor of the previous page (any other value is a 400)",
}
