"""Upstream's issue-create duplicate guards (validators.md §5.1), as keys in the uniques table.

- `idempotencyKey`: a create repeating a key of the same company within IDEMPOTENCY_TTL returns the
  issue the first one created (200, `deduplicated: true`, `deduplicationReason: "idempotency_key"`),
  whatever else the body says, as upstream does. The key is claimed in the create's transaction, so of
  concurrent repeats exactly one creates.
- Recent open title (`allowDuplicate: false`): every create records "the latest issue with this title
  under this parent" (lower-cased, whitespace collapsed) for 48 h. A create that sends
  `allowDuplicate: false` (the CLI always does) and finds that issue still open (not done or
  cancelled), not hidden and at most 48 h old gets it back (200, `deduplicated: true`,
  `deduplicationReason: "recent_open_title"`) instead of a new issue; its claim of the key is
  conditioned on what it read, so two concurrent guarded creates of one title make one issue.
  Without `allowDuplicate` (or with true) a create always creates: our contract's rule, which API
  callers that predate this field rely on (docs/compatibility.md, "Issues").
  Titles are compared as created (a later rename does not move the key), and only issues created
  through the API record it (routine execution issues do not).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.clock import iso
from chalicelib.store.issues import Issue
from chalicelib.store.transactions import Transaction
from chalicelib.store.uniques import UniqueKey

IDEMPOTENCY_TTL = timedelta(days=7)
TITLE_WINDOW = timedelta(hours=48)
_SPACES = re.compile(r"\s+")


def normalized_title(title: str) -> str:
    """Upstream's `lower(trim(collapse whitespace))`."""
    return _SPACES.sub(" ", title.strip()).lower()


def title_key(company_id: str, parent_id: str | None, title: str) -> str:
    digest = hashlib.sha256(normalized_title(title).encode("utf-8")).hexdigest()
    return f"issue-title#{company_id}#{parent_id or '-'}#{digest}"


def idempotency_key(company_id: str, key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"issue-idempotency#{company_id}#{digest}"


@dataclass
class Guards:
    """The keys one create reads and writes. `title_guarded`: the body said allowDuplicate: false."""

    idempotency: str | None
    title: str
    title_guarded: bool

    def keys(self) -> list[tuple[type, str]]:
        """What to read with the create's other references (the title key only when guarded)."""
        return ([(UniqueKey, self.idempotency)] if self.idempotency else []) + \
               ([(UniqueKey, self.title)] if self.title_guarded else [])


def live_key(key: UniqueKey | None, now: datetime) -> UniqueKey | None:
    """A key whose TTL has passed is as good as gone (DynamoDB deletes expired items lazily)."""
    if key is None or not key.ref or (key.expires_at is not None and key.expires_at < now):
        return None
    return key


def is_recent_open(issue: Issue | None, company_id: str, now: datetime) -> bool:
    """Whether a title key's issue still counts as a duplicate of a new create."""
    if issue is None or issue.company_id != company_id or issue.deleting_at or issue.hidden_at:
        return False
    if issue.status in ("done", "cancelled"):
        return False
    return issue.created_at >= iso(now - TITLE_WINDOW)


def add_claims(tx: Transaction, guards: Guards, issue_id: str, read: dict[str, UniqueKey | None], now: datetime) -> None:
    """Claim the keys for the new issue, conditioned on what this create read (tags "idempotency", "title")."""
    if guards.idempotency:
        stale = read.get(guards.idempotency)
        condition = _unchanged(stale)
        tx.update(UniqueKey(key=guards.idempotency),
                  actions=[UniqueKey.ref.set(issue_id), UniqueKey.expires_at.set(now + IDEMPOTENCY_TTL)],
                  condition=condition, tag="idempotency")
    actions = [UniqueKey.ref.set(issue_id), UniqueKey.expires_at.set(now + TITLE_WINDOW)]
    if guards.title_guarded:
        tx.update(UniqueKey(key=guards.title), actions=actions, condition=_unchanged(read.get(guards.title)), tag="title")
    else:  # unguarded creates only record themselves: the latest issue of that title wins the key
        tx.update(UniqueKey(key=guards.title), actions=actions)


def _unchanged(read: UniqueKey | None) -> Any:
    if read is None or not read.ref:
        return UniqueKey.key.does_not_exist() | UniqueKey.ref.does_not_exist()
    return UniqueKey.ref == read.ref
