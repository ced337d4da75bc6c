"""Reading a multipart/form-data upload (RFC 7578) from the raw request bytes. No I/O.

Why it looks like this: the whole body is already in memory (a Lambda request is at most ~6 MB), so
the streaming parser from python-multipart is fed once and its callbacks collect each part's headers
and bytes exactly as sent. The parser does not insist that the closing boundary was seen, so a body
cut short is caught here by checking the parser's final state.

Documented choices:

- The request Content-Type must be ``multipart/form-data`` (else NotMultipart: a 415) with a
  boundary (else MalformedMultipart: a 400).
- Each part needs ``Content-Disposition: form-data; name="…"``. A part without a Content-Type is
  ``text/plain`` (RFC 7578 §4.4). Content-Transfer-Encoding other than 7bit/8bit/binary is refused
  (RFC 7578 §4.7 deprecates it). At most MAX_PARTS parts.
- Filenames arrive as raw header bytes: UTF-8 when they decode as UTF-8 (what browsers and curl
  send), Latin-1 otherwise. ``filename*`` is ignored, as RFC 7578 §4.2 says.
- ``sanitize_filename`` keeps only a display name: the last path segment, no control or format
  characters, NFC, trimmed, at most 255 characters (keeping a short extension). Nothing is ever used
  as a file system path.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

MAX_PARTS = 50
MAX_FILENAME_CHARS = 255
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


class NotMultipart(Exception):
    """The request body is not multipart/form-data at all."""


class MalformedMultipart(Exception):
    """It claims to be multipart/form-data but cannot be read as such."""


@dataclass
class Part:
    name: str
    filename: str | None  # as sent (decoded), not sanitized
    content_type: str  # bare media type, lower-case
    data: bytes


def parse(content_type_header: str | None, body: bytes) -> list[Part]:
    """Every part of the form, in order."""
    boundary = _boundary(content_type_header)
    raw_parts: list[dict] = []
    state: dict = {"field": bytearray(), "value": bytearray(), "part": None}

    def on_part_begin() -> None:
        if len(raw_parts) >= MAX_PARTS:
            raise MalformedMultipart(f"at most {MAX_PARTS} parts are accepted")
        state["part"] = {"headers": {}, "data": bytearray()}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        name = bytes(state["field"]).decode("latin-1").strip().lower()
        state["part"]["headers"][name] = bytes(state["value"])
        state["field"], state["value"] = bytearray(), bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        state["part"]["data"] += data[start:end]

    def on_part_end() -> None:
        raw_parts.append(state["part"])

    callbacks = {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_part_data": on_part_data, "on_part_end": on_part_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except (FormParserError, ValueError) as exc:
        raise MalformedMultipart(str(exc) or "unreadable multipart body")
    if parser.state != MultipartState.END:
        raise MalformedMultipart("the body ends before the closing boundary")
    return [_part(p["headers"], bytes(p["data"])) for p in raw_parts]


def _boundary(content_type_header: str | None) -> bytes:
    try:
        media_type, options = parse_options_header(content_type_header or "")
    except (ValueError, UnicodeError):
        raise NotMultipart("unreadable Content-Type")
    if media_type != b"multipart/form-data":
        raise NotMultipart(media_type.decode("latin-1") or "no Content-Type")
    boundary = options.get(b"boundary", b"")
    if not boundary:
        raise MalformedMultipart("the Content-Type has no boundary")
    return boundary


def _part(headers: dict[str, bytes], data: bytes) -> Part:
    disposition, options = parse_options_header(headers.get("content-disposition", b"").decode("latin-1"))
    if disposition != b"form-data" or b"name" not in options:
        raise MalformedMultipart('every part needs Content-Disposition: form-data; name="..."')
    encoding = headers.get("content-transfer-encoding", b"").decode("latin-1").strip().lower()
    if encoding not in ("", "7bit", "8bit", "binary"):
        raise MalformedMultipart("Content-Transfer-Encoding is not supported")
    content_type, _ = parse_options_header(headers.get("content-type", b"").decode("latin-1"))
    filename = options.get(b"filename")
    return Part(
        name=_decode(options[b"name"]),
        filename=_decode(filename) if filename is not None else None,
        content_type=content_type.decode("latin-1").strip() or "text/plain",
        data=data,
    )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def sanitize_filename(name: str | None) -> str | None:
    """A safe display name, or None when nothing usable is left."""
    if name is None:
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    name = name.strip()
    if name in ("", ".", ".."):
        return None
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep_ext = dot and stem and 0 < len(ext) <= 16
        name = (stem[: MAX_FILENAME_CHARS - len(ext) - 1].rstrip() + "." + ext) if keep_ext else name[:MAX_FILENAME_CHARS].rstrip()
    return name
