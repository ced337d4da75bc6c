"""Activity entries written at one instant list in the order they were written (the log is newest
first by sort key; with a random id as the only tiebreak, a PATCH right after a create could list
before it: tests on a frozen clock saw exactly that)."""
from datetime import datetime, timezone

from chalicelib.services import activity


def test_entries_of_one_instant_sort_in_write_order():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    keys = [activity.entry(None, "company", f"action.{n}", "issue", "issue-id", now).sort_key for n in range(200)]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(key.startswith("2026-03-01T12:00:00.000Z#") for key in keys)
