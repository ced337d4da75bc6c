"""chalicelib/response_size.py against the Lambda runtime's own serialization (issue #11)."""
from __future__ import annotations

import json

from chalicelib import response_size
from chalicelib.response_size import body_len, in_order, leading
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


# --- in_order: a response's parts kept in priority order within a budget
def test_parts_stay_whole_while_they_fit_then_the_first_is_shortened_and_the_rest_emptied():
    first, second, third = ["a" * 10] * 3, ["b" * 10] * 3, ["c" * 10] * 3
    whole = body_len(first) + body_len(second) + body_len(third)
    assert in_order([first, second, third], whole) == ([first, second, third], 0)

    kept, left = in_order([first, second, third], body_len(first) + 20)
    assert kept == [first, second[:1], []]  # one item of the second fits; none of the third after a cut
    assert left == body_len(first) + 20 - body_len(first) - body_len(second[:1]) - body_len([])

    short = ["z"]  # would fit what the cut left, but comes after a cut part
    assert in_order([first, second, short], body_len(first) + 20)[0] == [first, second[:1], []]


def test_a_custom_shortening_for_objects_and_none():
    def shortened(value, room):
        if value is None or isinstance(value, list):
            return value if value is None else leading(value, room)
        return {**value, "body": None}

    comment = {"id": "c1", "body": "x" * 1000}
    kept, _ = in_order([None, comment, ["y" * 10]], 200, shortened)
    assert kept == [None, {"id": "c1", "body": None}, []]
    kept, _ = in_order([None, comment, ["y" * 10]], 10_000, shortened)
    assert kept == [None, comment, ["y" * 10]]
