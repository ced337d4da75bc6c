"""DynamoDB's 400 KB item limit, as a storage failure of its own (issue 11).

A write that would make an item larger than 400 KB fails with a ValidationException ("Item size has
exceeded the maximum allowed size", "Item size to update has exceeded the maximum allowed size"), or,
inside a transaction, with a cancellation reason carrying that message. Every stored field is bounded
(and a run's wakeups are items of their own), so this should not happen; if it does, it is not a bug
in the request and must not be a 500: the HTTP layer answers 413 in the contract's error shape, and
routine dispatch records the run failed with this reason.
"""
from __future__ import annotations

ITEM_TOO_LARGE_MARKERS = ("item size has exceeded", "item size to update has exceeded")
ITEM_TOO_LARGE_MESSAGE = "The change would make a stored item exceed DynamoDB's 400 KB item limit"


def _says_too_large(text: str | None) -> bool:
    lowered = (text or "").lower()
    return any(marker in lowered for marker in ITEM_TOO_LARGE_MARKERS)


def is_item_too_large(exc: BaseException) -> bool:
    """True when DynamoDB refused a write for the item's size, wherever it is in the cause chain
    (a botocore ClientError, PynamoDB's wrapper, or a transaction's cancellation reasons)."""
    from botocore.exceptions import ClientError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for reason in getattr(current, "cancellation_reasons", None) or []:
            if reason is not None and _says_too_large(getattr(reason, "message", None)):
                return True
        if isinstance(current, ClientError):
            error = current.response.get("Error", {})
            if _says_too_large(error.get("Message")):
                return True
            for reason in current.response.get("CancellationReasons") or []:
                if _says_too_large((reason or {}).get("Message")):
                    return True
        current = current.__cause__ or current.__context__
    return False
