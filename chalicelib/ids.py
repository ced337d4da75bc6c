"""Identifiers and secrets: UUIDv4 ids, opaque tokens and their at-rest hashes."""
from __future__ import annotations

import hashlib
import re
import secrets
import time
import uuid

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def new_id() -> str:
    return str(uuid.uuid4())


def derived_id(*parts: str) -> str:
    """A UUIDv4-shaped id that is the same every time for the same parts (e.g. one schedule tick's
    run): writing it with attribute_not_exists makes a second write of the same thing fail."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value or ""))


def new_agent_key() -> str:
    return "pcp_" + secrets.token_hex(24)  # 48 hex chars


def new_board_token() -> str:
    return "pcb_" + secrets.token_hex(24)


def token_hash(token: str) -> str:
    """Tokens are stored only as this hash; a lookup hashes the presented token the same way."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


PUBLIC_ID_RE = re.compile(r"^[A-Za-z0-9_-]{24}$")  # what new_public_id makes: 18 bytes, base64url


def new_public_id() -> str:
    return secrets.token_urlsafe(18)  # 144 random bits


def is_public_id(value: str) -> bool:
    """Whether `value` could be a webhook trigger's publicId at all (no lookup needed to refuse others)."""
    return bool(PUBLIC_ID_RE.match(value or ""))


def write_order() -> str:
    """A 20-digit wall-clock nanosecond stamp for sort keys: items stamped with the same (injected)
    time keep the order they were written in, within a process, instead of a random id's order."""
    return f"{time.time_ns():020d}"
