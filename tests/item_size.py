"""DynamoDB's size of a stored item (AWS docs, "Item sizes and formats"), from the raw AttributeValues
a Scan or GetItem returns: for the item-size tests (issue 11) and bench/wakeups.py."""
from __future__ import annotations

from typing import Any


def attribute_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one AttributeValue."""
    (kind, inner), = value.items()
    if kind in ("S", "B"):
        return len(inner.encode() if isinstance(inner, str) else inner)
    if kind == "N":
        return len(inner.strip("-").lstrip("0").replace(".", "")) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + attribute_size(v) for k, v in inner.items())
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in inner)
    return sum(len(v.encode() if isinstance(v, str) else v) for v in inner)  # SS, NS, BS


def item_bytes(item: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for a raw item: each attribute's name plus its value."""
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())
