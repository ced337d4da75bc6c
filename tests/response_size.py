"""Measuring responses as Lambda would ship them (issue #11), for the response-size tests.

Deployed, the function returns `{"statusCode", "headers", "multiValueHeaders", "body"}` and the
python3.11 runtime serializes it with `json.dumps` (ASCII only); more than 6,291,456 bytes is an API
Gateway 502. This is measured here independently of chalicelib/response_size.py.
"""
from __future__ import annotations

import json

LAMBDA_RESPONSE_LIMIT = 6_291_456


def envelope_size(response) -> int:
    """Bytes of the proxy-integration JSON the runtime would write for this response."""
    return len(json.dumps({
        "statusCode": response.status,
        "headers": dict(response.headers),
        "multiValueHeaders": {},
        "body": response.body.decode("utf-8"),
    }))


def get_within_limit(api, path: str, **kw):
    """GET `path`: 200 and an envelope under Lambda's limit."""
    response = api.get(path, **kw)
    assert response.status == 200, response
    size = envelope_size(response)
    assert size < LAMBDA_RESPONSE_LIMIT, (path, size)
    return response


def every_page(api, path: str, **kw) -> tuple[list, int]:
    """Every item of a paged list (following X-Next-Cursor), each page checked under the limit;
    returns (items, number of pages)."""
    items: list = []
    pages = 0
    cursor = None
    separator = "&" if "?" in path else "?"
    while True:
        response = get_within_limit(api, path + (f"{separator}cursor={cursor}" if cursor else ""), **kw)
        pages += 1
        assert response.json, "a page with a cursor before it is never empty"
        items += response.json
        cursor = response.headers.get("x-next-cursor")
        if not cursor:
            return items, pages
        assert pages < 1000


def escaped_size(value) -> int:
    """Envelope bytes of `value` once in a JSON body (how large the data is that a page must split)."""
    return len(json.dumps(json.dumps(value, ensure_ascii=False, separators=(",", ":"))))
