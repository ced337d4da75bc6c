"""Shared assertions for the fault tests: the shape of an answer, and table reads."""
from __future__ import annotations

from collections import Counter

from chalicelib.store.activity import Activity


def assert_clean_answer(response, ok: int) -> bool:
    """The call either succeeded (`ok`) or answered a clean error; returns whether it succeeded."""
    if response.status == ok:
        return True
    assert 400 <= response.status <= 599, response
    text = response.body.decode("utf-8", "replace")
    assert "Traceback" not in text and "File \"" not in text and "botocore" not in text.lower(), response
    body = response.json
    assert isinstance(body, dict) and set(body) <= {"error", "details"} and isinstance(body["error"], str), response
    if response.status >= 500:
        # Injected faults are throttling, DynamoDB 5xx and dropped connections: "retry later", never a bug.
        assert response.status == 503 and response.headers.get("retry-after") == "1", response
        assert "requestId" in (body.get("details") or {}), response
    return False


def activity_actions(entity_type: str, entity_ids: set[str]) -> Counter:
    """The actions recorded on these entities (read back from the table)."""
    return Counter(a.action for a in Activity.scan() if a.entity_type == entity_type and a.entity_id in entity_ids)
