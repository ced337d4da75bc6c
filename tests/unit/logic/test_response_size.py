"""chalicelib/response_size.py against the Lambda runtime's own serialization (issue #11)."""
from __future__ import annotations

import json

from chalicelib import response_size
from chalicelib.logic import strict_json

SAMPLES = ["plain", "\x01" * 10, '"quoted" \\', "line\nbreak", "é€", "\U0001F600" * 3, ""]


def _runtime_bytes(body: str) -> int:
    """What the python3.11 runtime writes for a body, minus the envelope around it."""
    return len(json.dumps({"body": body}).encode("utf-8")) - len('{"body": ""}')


def test_escaped_len_is_what_the_runtime_writes():
    for text in SAMPLES:
        assert response_size.escaped_len(text) == _runtime_bytes(text)


def test_body_len_measures_the_serialized_body():
    value = {"items": SAMPLES, "n": 3, "none": None}
    assert response_size.body_len(value) == _runtime_bytes(strict_json.dumps(value))


def test_the_costliest_characters():
    body = lambda ch: response_size.body_len({"b": ch * 1000}) - response_size.body_len({"b": ""})  # noqa: E731
    assert body("\x01") == 7000 and body('"') == 4000 and body("\U0001F600") == 12000 and body("a") == 1000


def test_surely_fits_is_safe_for_the_worst_characters():
    n = 500_000
    assert response_size.surely_fits(n)
    worst = strict_json.dumps(["\U0001F600" * (n - 4)])  # n characters of body text
    assert response_size.escaped_len(worst) < response_size.LAMBDA_RESPONSE_LIMIT
    assert not response_size.surely_fits(600_000)
