"""Cursor pagination over a query: one Query request per page, whatever the page size (no N+1).

A page is also bounded in bytes (issue #11: a Lambda response is at most 6 MB): items are added
while their stored attributes, measured as they would travel in the Lambda envelope
(response_size.body_len of the raw DynamoDB item, which is never smaller than the item's JSON
shape), stay within `budget`; the first item always goes in (an item is at most 400 KB, 2.8 MB
escaped, under any budget), and the cursor then continues right after the last item kept. So a
list page holds fewer than `limit` items with X-Next-Cursor whenever its items are large.

The cursor handed to clients is DynamoDB's LastEvaluatedKey, JSON then URL-safe base64. A cursor that
does not decode, or that names a different partition, is a 400, never a 500.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Callable

from chalicelib import response_size
from chalicelib.errors import BadRequest


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    # The cursor that continues right after one of `items` (so a reply may keep fewer items than the
    # page holds, measured once serialized: http/params.page_reply); None when the page cannot be cut.
    resume_after: Callable[[Any], str] | None = None


def resume_after_of(source: Any) -> Callable[[Any], str]:
    """The `resume_after` of pages of `source` (a model or one of its indexes): an item's keys."""
    names = key_names(source)

    def cursor(item: Any) -> str:
        attributes = item.serialize()
        return encode_cursor({name: attributes[name] for name in names})  # type: ignore[return-value]

    return cursor


def encode_cursor(last_key: dict | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def key_names(source: Any) -> set[str]:
    """The attributes a LastEvaluatedKey of `source` (a model, or one of its indexes) holds."""
    if hasattr(source, "_get_schema") and hasattr(source, "_model"):  # an index: its keys and the table's
        names = {k["AttributeName"] for k in source._get_schema()["key_schema"]}
        return names | key_names(source._model)
    return {n for n in (source._hash_keyname, source._range_keyname) if n}


def decode_cursor(cursor: str | None, expected_keys: set[str] | None = None) -> dict | None:
    """The key a cursor carries; 400 for anything this service did not hand out (and, given
    `expected_keys`, for a key of another table or index, which DynamoDB would answer with an error)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise BadRequest("Invalid cursor", {"cursor": "not a cursor this endpoint issued"})
    if not isinstance(value, dict) or not all(
        isinstance(v, dict) and len(v) == 1 and isinstance(next(iter(v.values())), str) for v in value.values()
    ):
        raise BadRequest("Invalid cursor", {"cursor": "not a cursor this endpoint issued"})
    if expected_keys is not None and set(value) != expected_keys:
        raise BadRequest("Invalid cursor", {"cursor": "not a cursor this endpoint issued"})
    return value


def query_page(
    source: Any,
    hash_key: str,
    *,
    limit: int,
    cursor: str | None,
    newest_first: bool = False,
    range_key_condition: Any = None,
    filter_condition: Any = None,
    budget: int = response_size.PAGE_BUDGET,
) -> Page:
    """One page of `source` (a model or an index) for `hash_key`.

    With a filter, a page may hold fewer than `limit` items even though more remain; the cursor says
    whether to go on. That keeps every page at exactly one request. `budget` bounds the page's
    stored items in envelope bytes (module docstring); callers that add more to each item than its
    stored attributes (a body read from S3) pass a smaller one or bound it themselves.
    """
    start = decode_cursor(cursor, key_names(source))
    result = source.query(
        hash_key,
        range_key_condition=range_key_condition,
        filter_condition=filter_condition,
        scan_index_forward=not newest_first,
        last_evaluated_key=start,
        page_size=limit,
    )
    from pynamodb.exceptions import QueryError

    try:
        raw_page = next(result.page_iter)  # exactly one Query request
    except QueryError:
        if start is not None:  # a forged cursor whose key shape the table rejects
            raise BadRequest("Invalid cursor", {"cursor": "not a cursor this endpoint issued"})
        raise
    raws = within_budget(raw_page.get("Items", []), budget)
    next_key = result.page_iter.last_evaluated_key
    if len(raws) < len(raw_page.get("Items", [])):
        next_key = {name: raws[-1][name] for name in key_names(source)}
    return Page(items=[result._map_fn(raw) for raw in raws], next_cursor=encode_cursor(next_key),
                resume_after=resume_after_of(source))


def within_budget(raw_items: list[dict], budget: int) -> list[dict]:
    """The leading raw items whose envelope size together stays within `budget` (at least one)."""
    kept: list[dict] = []
    total = 0
    for raw in raw_items:
        size = response_size.body_len(raw)
        if kept and total + size > budget:
            break
        kept.append(raw)
        total += size
    return kept
