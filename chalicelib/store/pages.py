"""Cursor pagination over a query: one Query request per page, whatever the page size (no N+1).

The cursor handed to clients is DynamoDB's LastEvaluatedKey, JSON then URL-safe base64. A cursor that
does not decode, or that names a different partition, is a 400, never a 500.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import BadRequest


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


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
) -> Page:
    """One page of `source` (a model or an index) for `hash_key`.

    With a filter, a page may hold fewer than `limit` items even though more remain; the cursor says
    whether to go on. That keeps every page at exactly one request.
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
    items = [result._map_fn(raw) for raw in raw_page.get("Items", [])]
    return Page(items=items, next_cursor=encode_cursor(result.page_iter.last_evaluated_key))
