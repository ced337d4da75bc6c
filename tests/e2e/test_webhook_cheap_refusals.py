"""The public fire endpoint refuses floods and unknown ids cheaply (issue 11), with the same answers and
the same order of checks as before (SPEC §6: per-IP limit, 404, per-publicId limit, ...)."""
import dataclasses
import json

import pytest

from chalicelib.ids import new_public_id
from chalicelib.services.routines import webhook_intake
from chalicelib.store.request_count import counting
from tests.e2e.test_webhooks import fire, webhook


def counted(fn):
    with counting() as counter:
        response = fn()
    return response, dict(counter)


@pytest.fixture
def limits(monkeypatch):
    """Lower limits keep the tests short (the counting is the same) and a fresh over-limit memo."""
    base = webhook_intake.settings()
    monkeypatch.setattr(webhook_intake, "settings",
                        lambda: dataclasses.replace(base, webhook_rate_per_trigger=3, webhook_rate_per_ip=6))
    monkeypatch.setattr(webhook_intake, "_over_limit", {})


def test_an_id_that_cannot_exist_costs_only_the_ip_count(api, world, limits):
    response, requests = counted(lambda: fire(api, "no-such-public-id", {}))
    assert response.status == 404 and requests == {"UpdateItem": 1}
    response, requests = counted(lambda: fire(api, new_public_id(), {}))  # well formed: looked up
    assert response.status == 404 and requests == {"UpdateItem": 1, "Query": 1}


def test_a_source_over_its_limit_is_refused_without_dynamodb(api, world, limits):
    _, trigger, _ = webhook(api, world, "none", concurrencyPolicy="skip_if_active")
    assert [fire(api, trigger["publicId"], {}).status for _ in range(3)] == [202, 202, 202]  # known ids work
    assert fire(api, trigger["publicId"], {}).status == 429  # the trigger's own limit
    assert [fire(api, "unknown-id", {}).status for _ in range(2)] == [404, 404]
    first, _ = counted(lambda: fire(api, "unknown-id", {}))  # the 7th request from this IP
    assert first.status == 429
    for public_id in ("unknown-id", new_public_id(), trigger["publicId"]):
        response, requests = counted(lambda: fire(api, public_id, {}))
        assert response.status == 429 and requests == {}, public_id
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert json.loads(response.body)["error"] == "Too many requests"


def test_a_trigger_over_its_limit_is_refused_after_one_ip_count(api, world, limits, monkeypatch):
    base = webhook_intake.settings()
    monkeypatch.setattr(webhook_intake, "settings", lambda: dataclasses.replace(base, webhook_rate_per_ip=100))
    _, trigger, _ = webhook(api, world, "none", concurrencyPolicy="skip_if_active")
    assert [fire(api, trigger["publicId"], {}).status for _ in range(4)] == [202, 202, 202, 429]
    response, requests = counted(lambda: fire(api, trigger["publicId"], {}))
    # The IP is counted (it is under its limit), the lookup still answers 404-or-not, the trigger's
    # count is not written again.
    assert response.status == 429 and requests == {"UpdateItem": 1, "Query": 1}
