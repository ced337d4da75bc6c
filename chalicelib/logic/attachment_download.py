"""How an attachment's bytes go back to the client. No I/O.

Why it looks like this: a Lambda response is JSON, so bytes travel base64-encoded and API Gateway turns
them back into bytes only for a content type in the API's binary media types AND a request whose
Accept header names one of those types (``*/*`` counts). Chalice enforces the same rule locally. So:

- textual types (``text/*``, ``application/json``, ``*+json``) are sent as text when the bytes are
  valid UTF-8 (the bytes arrive unchanged, whatever the Accept header); JSON cannot be a binary type
  without making every JSON response of the API binary;
- any other type is sent as binary when it is one of the binary types, and then the request must
  accept a binary type (``Accept: */*`` as curl, browsers and requests send): otherwise 406 in the
  API's error shape rather than Chalice's own;
- anything else (a type no longer in the binary list, a textual file that is not UTF-8, or one whose
  text, escaped for the Lambda envelope, would pass RESPONSE_BUDGET: 4 MB of control characters take
  28 MB as text but 5.6 MB as base64; issue #11) is sent as ``application/octet-stream``, which is
  always binary.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from chalicelib import response_size

OCTET_STREAM = "application/octet-stream"
DEFAULT_FILENAME = "attachment"
_RFC5987_SAFE = "!#$&+-.^_`|~"


@dataclass(frozen=True)
class Delivery:
    content_type: str
    body: bytes | str
    needs_binary_accept: bool


def is_textual(content_type: str) -> bool:
    return content_type.startswith("text/") or content_type == "application/json" or content_type.endswith("+json")


def plan_delivery(content_type: str, data: bytes, binary_types: list[str]) -> Delivery:
    binary = {t.lower() for t in binary_types}
    if "*/*" in binary:  # the whole API is binary: every body travels as bytes
        return Delivery(content_type, data, needs_binary_accept=True)
    if is_textual(content_type) and content_type not in binary:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return Delivery(OCTET_STREAM, data, needs_binary_accept=True)
        if response_size.surely_fits(len(text)) or response_size.escaped_len(text) <= response_size.RESPONSE_BUDGET:
            return Delivery(content_type, text, needs_binary_accept=False)
        return Delivery(OCTET_STREAM, data, needs_binary_accept=True)
    if content_type in binary:
        return Delivery(content_type, data, needs_binary_accept=True)
    return Delivery(OCTET_STREAM, data, needs_binary_accept=True)


def accepts_binary(accept_header: str | None, binary_types: list[str]) -> bool:
    """The same test Chalice (and API Gateway) apply: the Accept header names */* or a binary type."""
    if not accept_header:
        return False
    if "*/*" in accept_header:
        return True
    offered = {p.strip().lower() for p in re.split("[,;]", accept_header)}
    return bool(offered & {t.lower() for t in binary_types})


def content_disposition(filename: str | None, download: bool = False) -> str:
    """``inline; filename="…"`` (``attachment`` when `download`: upstream's ``?download=1``) with an
    ASCII fallback, plus ``filename*`` (RFC 6266/5987) when the real name is not plain ASCII."""
    name = filename or DEFAULT_FILENAME
    fallback = _ascii_fallback(name)
    quoted = fallback.replace("\\", "\\\\").replace('"', '\\"')
    header = f'{"attachment" if download else "inline"}; filename="{quoted}"'
    if fallback != name:
        header += "; filename*=UTF-8''" + quote(name, safe=_RFC5987_SAFE)
    return header


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    chars = []
    for c in decomposed:
        if unicodedata.category(c) == "Mn":  # accents split off by NFKD: "é" -> "e"
            continue
        chars.append(c if 0x20 <= ord(c) < 0x7F else "_")
    return "".join(chars).strip() or DEFAULT_FILENAME
