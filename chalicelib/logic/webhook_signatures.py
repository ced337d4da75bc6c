"""Verification of inbound webhook requests for the five signing modes of SPEC §6.

Why it looks like this:

- Signatures are computed over the **raw body bytes** exactly as received; nothing is re-serialised.
- Every secret comparison is ``hmac.compare_digest`` over bytes (digests are compared after
  decoding, so hex case and base64 formatting cannot leak timing or cause false negatives).
- Header names are matched case-insensitively by lower-casing them here; the caller may pass any
  mapping (Chalice's headers, a plain dict).
- Every failure raises :class:`SignatureError`; its message is for logs only — the HTTP layer
  answers ``401 {"error": "Unauthorized"}`` without saying which check failed.
- The function is pure: the current time is the ``now`` argument. Replay refusal of a
  ``webhook-id`` that was already seen needs storage, so it is the caller's job; the id is returned.

Mode details and documented choices:

- ``bearer``: ``Authorization: Bearer <secret>``; the scheme word is case-insensitive (RFC 7235).
- ``hmac_sha256``: signature from ``X-Paperclip-Signature`` (preferred) or ``X-Hub-Signature-256``,
  timestamp from ``X-Paperclip-Timestamp`` (required); signed bytes ``{timestamp}.{rawBody}`` where
  ``{timestamp}`` is the header value as sent; hex HMAC-SHA256 with an optional ``sha256=`` prefix.
- ``github_hmac``: ``X-Hub-Signature-256`` (preferred) or ``X-Paperclip-Signature``; signed bytes
  are the raw body; ``sha256=<hex>`` as GitHub sends it, and bare ``<hex>`` is accepted too. GitHub
  sends no timestamp, so there is no replay window in this mode (a timestamp header is ignored: it
  is not covered by the signature, so checking it would protect nothing).
- ``standard_webhooks``: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``; signed bytes
  ``{id}.{timestamp}.{rawBody}``; the signature header is a space-separated list of
  ``<version>,<base64>``; any matching ``v1`` entry passes, other versions and malformed entries are
  ignored. The key is the standard-base64 decoding of the secret after ``whsec_`` (the prefix is
  optional, missing padding tolerated, as in the reference library).
- ``none``: always passes.
- Timestamps are integer Unix seconds (an optional fractional part is tolerated); values above
  10^12 are milliseconds. Anything else is refused, as is a timestamp more than
  ``replay_window_sec`` away from ``now`` in either direction (the bound itself is accepted).
- HMAC modes other than ``standard_webhooks`` use the UTF-8 bytes of the secret as the key.
- An empty secret never verifies.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

__all__ = [
    "SIGNING_MODES",
    "SignatureError",
    "VerifiedRequest",
    "verify",
    "generate_secret",
    "sign_hmac_sha256",
    "sign_github",
    "sign_standard_webhooks",
]

SIGNING_MODES = ("bearer", "hmac_sha256", "github_hmac", "standard_webhooks", "none")
STANDARD_WEBHOOKS_PREFIX = "whsec_"
GENERATED_SECRET_PREFIX = "pcwh_"
MAX_WEBHOOK_ID_LENGTH = 255

_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,9})?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


class SignatureError(Exception):
    """The request does not verify. The message says why (for logs), never for the client."""


@dataclass(frozen=True)
class VerifiedRequest:
    mode: str
    webhook_id: str | None = None  # standard_webhooks: the caller refuses ids seen before
    timestamp: float | None = None  # Unix seconds, for the timestamped modes


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _lower_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (headers or {}).items():
        name, text = str(key).lower(), str(value).strip()
        if out.get(name, text) != text:
            raise SignatureError(f"conflicting duplicate header {name}")
        out[name] = text
    return out


def _require(headers: dict[str, str], *names: str) -> tuple[str, str]:
    """The first of ``names`` present with a non-empty value, as (name, value)."""
    for name in names:
        if headers.get(name):
            return name, headers[name]
    raise SignatureError(f"missing header {' or '.join(names)}")


def _check_timestamp(raw: str, now: datetime, window: int) -> float:
    if not _TIMESTAMP.fullmatch(raw):
        raise SignatureError("timestamp is not a Unix time")
    value = float(raw)
    seconds = value / 1000 if value > 10**12 else value
    if abs(now.timestamp() - seconds) > window:
        raise SignatureError("timestamp outside the replay window")
    return seconds


def _hex_signature(value: str, prefix_required: bool) -> bytes:
    if value[:7].lower() == "sha256=":
        value = value[7:]
    elif prefix_required:
        raise SignatureError("signature lacks the sha256= prefix")
    if not _HEX_DIGEST.fullmatch(value):
        raise SignatureError("signature is not a hex SHA-256 digest")
    return bytes.fromhex(value)


def _b64decode(text: str) -> bytes:
    if not _BASE64.fullmatch(text):
        raise ValueError("not standard base64")
    text = text.rstrip("=")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _standard_webhooks_key(secret: str) -> bytes:
    encoded = secret.removeprefix(STANDARD_WEBHOOKS_PREFIX)
    try:
        key = _b64decode(encoded)
    except (ValueError, binascii.Error) as exc:
        raise SignatureError("stored secret is not whsec_<base64>") from exc
    if not key:
        raise SignatureError("empty signing key")
    return key


def verify(mode: str, secret: str, headers: Mapping[str, str], raw_body: bytes, now: datetime,
           replay_window_sec: int) -> VerifiedRequest:
    """Verify one request; return what the caller needs, or raise :class:`SignatureError`.

    ``mode`` outside :data:`SIGNING_MODES` and a naive ``now`` are programming errors
    (``ValueError``), not signature failures.
    """
    if mode not in SIGNING_MODES:
        raise ValueError(f"unknown signing mode {mode!r}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if mode == "none":
        return VerifiedRequest(mode=mode)
    if not secret:
        raise SignatureError("no secret configured")
    body = bytes(raw_body or b"")
    h = _lower_headers(headers)

    if mode == "bearer":
        _, auth = _require(h, "authorization")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(_utf8(token.strip()), _utf8(secret)):
            raise SignatureError("bearer token does not match")
        return VerifiedRequest(mode=mode)

    if mode == "hmac_sha256":
        _, signature = _require(h, "x-paperclip-signature", "x-hub-signature-256")
        _, stamp = _require(h, "x-paperclip-timestamp")
        provided = _hex_signature(signature, prefix_required=False)
        seconds = _check_timestamp(stamp, now, replay_window_sec)
        expected = _hmac(_utf8(secret), _utf8(stamp) + b"." + body)
        if not hmac.compare_digest(expected, provided):
            raise SignatureError("signature does not match")
        return VerifiedRequest(mode=mode, timestamp=seconds)

    if mode == "github_hmac":
        _, signature = _require(h, "x-hub-signature-256", "x-paperclip-signature")
        provided = _hex_signature(signature, prefix_required=False)
        if not hmac.compare_digest(_hmac(_utf8(secret), body), provided):
            raise SignatureError("signature does not match")
        return VerifiedRequest(mode=mode)

    # standard_webhooks
    _, msg_id = _require(h, "webhook-id")
    _, stamp = _require(h, "webhook-timestamp")
    _, signatures = _require(h, "webhook-signature")
    if len(msg_id) > MAX_WEBHOOK_ID_LENGTH:
        raise SignatureError("webhook-id too long")
    seconds = _check_timestamp(stamp, now, replay_window_sec)
    expected = _hmac(_standard_webhooks_key(secret), _utf8(f"{msg_id}.{stamp}.") + body)
    for entry in signatures.split():
        version, _, encoded = entry.partition(",")
        if version != "v1":
            continue
        try:
            provided = _b64decode(encoded)
        except (ValueError, binascii.Error):
            continue
        if hmac.compare_digest(expected, provided):
            return VerifiedRequest(mode=mode, webhook_id=msg_id, timestamp=seconds)
    raise SignatureError("no matching v1 signature")


def generate_secret(mode: str) -> str:
    """A fresh secret: ``whsec_`` + base64(32 random bytes) for standard_webhooks, else ``pcwh_`` +
    64 hex chars (256 bits). ``none`` gets one too, so switching modes never leaves a blank secret."""
    if mode not in SIGNING_MODES:
        raise ValueError(f"unknown signing mode {mode!r}")
    if mode == "standard_webhooks":
        return STANDARD_WEBHOOKS_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    return GENERATED_SECRET_PREFIX + secrets.token_hex(32)


# Signing helpers: what a sender does. Used by tests, the local tooling and documentation examples.

def sign_hmac_sha256(secret: str, timestamp: str | int, raw_body: bytes) -> str:
    """``X-Paperclip-Signature`` value for ``hmac_sha256`` (send ``timestamp`` as the header)."""
    return "sha256=" + hmac.new(_utf8(secret), _utf8(str(timestamp)) + b"." + raw_body,
                                hashlib.sha256).hexdigest()


def sign_github(secret: str, raw_body: bytes) -> str:
    """``X-Hub-Signature-256`` value for ``github_hmac``."""
    return "sha256=" + hmac.new(_utf8(secret), raw_body, hashlib.sha256).hexdigest()


def sign_standard_webhooks(secret: str, msg_id: str, timestamp: str | int, raw_body: bytes) -> str:
    """``webhook-signature`` value (``v1,<base64>``) for ``standard_webhooks``."""
    digest = _hmac(_standard_webhooks_key(secret), _utf8(f"{msg_id}.{timestamp}.") + raw_body)
    return "v1," + base64.b64encode(digest).decode("ascii")
