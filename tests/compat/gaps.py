"""Client calls that do not work yet, each with what fails and what the client needs.

`gap(key)` marks a test `xfail(strict=True)`: the test still runs and asserts the client's real
result; it must FAIL while the gap is open, and the suite turns red (XPASS strict) the moment the
service is fixed, so the mark cannot outlive the gap: whoever closes a gap deletes its entry here.
docs/compatibility.md ("The clients' test suite", Open gaps) names the ones open; the lead routes
them to the engineer of the area.
"""
from __future__ import annotations

import pytest

# key → (area, what the client sends, what we answer, what it needs)
GAPS: dict[str, str] = {
    # None open: every client call the suite drives works (or asserts a documented difference).
}


def gap(key: str):
    return pytest.mark.xfail(strict=True, reason=f"open gap {key}: {GAPS[key]}")
