"""Issue statuses: the transition table and what a status change does to the other fields (SPEC §4).

Pure: no I/O, no clock (callers pass the timestamp). The services decide *whether* a write may happen
(who holds the checkout, races); this module decides which moves are legal and what they imply.

- A PATCH may move an issue only along `PATCH_TRANSITIONS`; `in_progress` is entered only through
  checkout, from any non-terminal status the caller lists in `expectedStatuses`.
- `done` and `cancelled` are terminal: no status change at all, checkout and release included.
- Setting the status an issue already has is a no-op: no error, no side effects.
"""
from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled")
PRIORITIES = ("critical", "high", "medium", "low")
CREATE_STATUSES = ("backlog", "todo", "blocked")
TERMINAL_STATUSES = ("done", "cancelled")
CHECKOUT_STATUSES = tuple(s for s in STATUSES if s not in TERMINAL_STATUSES)
# Statuses in which a (new) assignee is not woken: nothing for it to do yet, or nothing any more.
QUIET_STATUSES = ("backlog", "done", "cancelled")

PATCH_TRANSITIONS: dict[str, frozenset[str]] = {
    "backlog": frozenset({"todo", "blocked", "cancelled"}),
    "todo": frozenset({"backlog", "blocked", "cancelled"}),
    "in_progress": frozenset({"in_review", "done", "blocked", "todo", "cancelled"}),
    "in_review": frozenset({"done", "blocked", "todo", "cancelled"}),
    "blocked": frozenset({"todo", "backlog", "cancelled"}),
    "done": frozenset(),
    "cancelled": frozenset(),
}


class TransitionError(ValueError):
    """An illegal status move; the services turn it into a 422 with details.from / details.to."""

    def __init__(self, from_status: str, to_status: str, message: str):
        super().__init__(message)
        self.from_status = from_status
        self.to_status = to_status
        self.message = message


def check_patch(from_status: str, to_status: str) -> None:
    """Raise TransitionError unless a PATCH may move `from_status` to `to_status`."""
    if from_status == to_status:
        return
    if from_status in TERMINAL_STATUSES:
        raise TransitionError(from_status, to_status, f"Issue is {from_status}: its status can no longer change")
    if to_status == "in_progress":
        raise TransitionError(
            from_status, to_status,
            "An issue enters in_progress only through checkout: POST /api/issues/{issueId}/checkout",
        )
    if to_status not in PATCH_TRANSITIONS.get(from_status, frozenset()):
        raise TransitionError(from_status, to_status, f"Invalid status transition from {from_status} to {to_status}")


def check_checkout(from_status: str) -> None:
    """Checkout moves any non-terminal status to in_progress."""
    if from_status in TERMINAL_STATUSES:
        raise TransitionError(from_status, "in_progress", f"Issue is {from_status}: it cannot be checked out")


def check_release(from_status: str) -> None:
    """Release moves any non-terminal status back to todo."""
    if from_status in TERMINAL_STATUSES:
        raise TransitionError(from_status, "todo", f"Issue is {from_status}: it cannot be released")


@dataclass(frozen=True)
class Effects:
    """Field changes implied by a status move: `sets` (attribute -> value) and `clears` (attributes)."""

    sets: dict[str, str] = field(default_factory=dict)
    clears: frozenset[str] = frozenset()


def status_effects(from_status: str, to_status: str, stamp: str) -> Effects:
    """startedAt on entering in_progress, completedAt on done, cancelledAt on cancelled; leaving
    in_progress clears the checkout. The same status is a no-op."""
    if from_status == to_status:
        return Effects()
    sets: dict[str, str] = {}
    clears: set[str] = set()
    if to_status == "in_progress":
        sets["started_at"] = stamp
    elif to_status == "done":
        sets["completed_at"] = stamp
    elif to_status == "cancelled":
        sets["cancelled_at"] = stamp
    if from_status == "in_progress":
        clears.add("checkout_run_id")
    return Effects(sets=sets, clears=frozenset(clears))


def reopen_clears(from_status: str) -> frozenset[str]:
    """A comment reopening an issue to todo (logic/comment_followup.py) clears the stamp of the closed
    status it leaves: upstream clears completedAt and cancelledAt on every other status."""
    return frozenset({"done": {"completed_at"}, "cancelled": {"cancelled_at"}}.get(from_status, set()))


def wakes_assignee(status: str) -> bool:
    """Whether assigning an agent to an issue in `status` should wake it."""
    return status not in QUIET_STATUSES


def parse_status_filter(raw: str | None) -> list[str]:
    """`?status=todo,in_progress` -> ["todo", "in_progress"]; raises ValueError naming unknown ones."""
    if raw is None or not raw.strip():
        return []
    names = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    unknown = [n for n in names if n not in STATUSES]
    if unknown:
        raise ValueError(", ".join(unknown))
    return names
