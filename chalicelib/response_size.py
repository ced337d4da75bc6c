"""How many bytes a response takes in Lambda's proxy-integration envelope, and the budgets that keep
every response under Lambda's limit (issue #11). No I/O; a leaf module, as store/pages.py, the
services and the route wrapper all measure with it.

Deployed, a function's return value is `{"statusCode", "headers", "multiValueHeaders", "body"}`
serialized as JSON by the Python runtime, and a synchronous response over 6,291,456 bytes of that JSON
is an API Gateway 502. The body is our JSON text escaped once more as a JSON string: on the python3.11
runtime the marshaller writes ASCII only (`ensure_ascii=True`; 3.12+ writes UTF-8, which is
never larger). So one character of stored text costs, in the envelope: 7 bytes for a control
character (U+0001 is a 6-character escape in the body text, whose backslash is escaped again), 4 for a
quote or a backslash, 3 for a newline, 6 for other non-ASCII characters of the BMP, 12 for one beyond
it (a surrogate pair), 1 for the rest. Measuring with `json.dumps` (ASCII) is therefore exact for
3.11 and an upper bound for later runtimes.

Budgets (bytes of envelope, i.e. as measured here):
- LAMBDA_RESPONSE_LIMIT: the hard limit; the route wrapper refuses to return more (api.py).
- RESPONSE_BUDGET: what a service may build for one body; the rest is headroom for the headers and
  the envelope's own keys.
- PAGE_BUDGET: what the stored items of one list page may take (store/pages.py measures each raw
  item as it adds it); the difference to RESPONSE_BUDGET covers what serializers add beside the
  stored attributes (ids, derived fields: well under 5 KB an item at the 200-item page maximum).
"""
from __future__ import annotations

import json
from typing import Any, Callable


LAMBDA_RESPONSE_LIMIT = 6_291_456
RESPONSE_BUDGET = 5 * 1024 * 1024
PAGE_BUDGET = 4 * 1024 * 1024


def escaped_len(text: str) -> int:
    """Bytes `text` takes as a JSON string inside the envelope, without its quotes."""
    return len(json.dumps(text)) - 2  # ASCII-only output: characters are bytes


def body_len(value: Any) -> int:
    """Envelope bytes of `value` once serialized as a response body (compact UTF-8 JSON, as
    logic/strict_json.dumps writes it), then escaped."""
    return escaped_len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def envelope_len(envelope: dict[str, Any]) -> int:
    """Bytes of a whole proxy-integration response as the runtime serializes it."""
    return len(json.dumps(envelope))


def surely_fits(body_chars: int) -> bool:
    """True when a body of this many characters cannot reach the limit whatever they are (no
    character of a body text costs more than 12 bytes escaped), so the exact measurement can be skipped."""
    return body_chars * 12 + 64 * 1024 < LAMBDA_RESPONSE_LIMIT


def leading(items: list[Any], room: int) -> list[Any]:
    """The first `items` whose JSON fits in `room` bytes of envelope (a comma each between them)."""
    kept: list[Any] = []
    for item in items:
        room -= body_len(item) + 1
        if room < 0:
            break
        kept.append(item)
    return kept


def in_order(parts: list[Any], room: int, shorten: Callable[[Any, int], Any] = leading) -> tuple[list[Any], int]:
    """`parts` of one response kept within `room` envelope bytes in priority order: each whole while it
    fits; the first that does not is `shorten(part, room)` (default: a list's leading items), and every
    later one `shorten(part, -1)`, so a later part never gains from an earlier one's cut. Returns the kept
    parts and the room left (GET issue's lists, heartbeat-context's large parts)."""
    kept: list[Any] = []
    whole = True
    for part in parts:
        fits = whole and body_len(part) <= room
        kept.append(part if fits else shorten(part, room if whole else -1))
        whole = fits
        room -= body_len(kept[-1])
    return kept, room
