"""Agent url keys ("shortnames"), as upstream Paperclip derives them (`@paperclipai/shared`
`agent-url-key.js`; validators.md §9.5).

`normalize("Alice Bot")` → `"alice-bot"`, `normalize("CEO (main)")` → `"ceo-main"`: trimmed, lower-cased,
every run of characters outside `[a-z0-9]` one `-`, no leading or trailing `-`; nothing left → None.
An agent's `urlKey` is the key of its name, or its id when the name has no ASCII letter or digit.
"""
from __future__ import annotations

import re

_DELIMITERS = re.compile(r"[^a-z0-9]+")
# upstream's isUuidLike: any RFC 4122 version 1-5, either case (a reference shaped like this is an id)
_UUID_LIKE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)


def normalize(value: str | None) -> str | None:
    if not isinstance(value, str):
        return None
    key = _DELIMITERS.sub("-", value.strip().lower()).strip("-")
    return key or None


def url_key(name: str, agent_id: str) -> str:
    return normalize(name) or agent_id


def is_uuid_like(value: str) -> bool:
    return bool(_UUID_LIKE.match(value.strip()))
