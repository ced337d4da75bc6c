"""Query-string parsing shared by list endpoints."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from chalicelib import response_size
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
    return paged_json(page, [serialize(item) for item in page.items])


def paged_json(page: Page, items_json: list[Any]) -> Reply:
    """A list page's reply: `items_json[i]` is `page.items[i]` serialized. The items are measured as
    they will travel in the Lambda envelope and the reply stops before they pass
    response_size.RESPONSE_BUDGET (always keeping the first), with X-Next-Cursor continuing right
    after the last item kept (issue #11: a response over 6 MB is a 502)."""
    kept, total = 0, 2  # the brackets
    for item in items_json:
        size = response_size.body_len(item) + 1  # and its comma
        if kept and total + size > response_size.RESPONSE_BUDGET:
            break
        kept, total = kept + 1, total + size
    cursor = page.next_cursor
    if kept < len(items_json) and page.resume_after is not None:
        items_json, cursor = items_json[:kept], page.resume_after(page.items[kept - 1])
    headers = {"X-Next-Cursor": cursor} if cursor else {}
    return Reply(body=items_json, headers=headers)


def param(description: str, **schema: Any) -> dict[str, Any]:
    """A documented query parameter whose values are narrower than any string."""
    return {"description": description, "schema": {"type": "string", **schema}}


def one_of(values: Sequence[str]) -> dict[str, Any]:
    """A query schema for one of `values` (a domain's vocabulary, e.g. heartbeats.STATUSES)."""
    return {"enum": list(values)}


def comma_separated(values: Sequence[str]) -> dict[str, Any]:
    """A query schema for a comma-separated list of `values` (a domain's vocabulary)."""
    alternatives = "|".join(values)
    return {"pattern": f"^({alternatives})(,({alternatives}))*$"}


PAGING = {
    "limit": param("page size (clamped to 1..200, default 50)", type="integer"),
    "cursor": "the X-Next-Cursor of the previous page (any other value is a 400)",
}
