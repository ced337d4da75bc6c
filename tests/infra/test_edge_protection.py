"""What keeps a flood at the edge (issue 11): API Gateway stage throttling with a tighter share for the
public webhook endpoint, and executions reserved for the scheduler so the API cannot starve it.

Checked on the packaged template (what deploys), for both stages."""
from __future__ import annotations

import json
import math
import re

import pytest

from infra.template import gateway
from tests.infra.conftest import STAGES

FIRE = "/api/routine-triggers/public/{publicId}/fire"


def _template(packaged, stage: str) -> dict:
    return json.loads((packaged[stage] / "sam.json").read_text())


def _settings(template: dict) -> dict[tuple[str, str], dict]:
    api = template["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::Serverless::Api"
    return {(s["ResourcePath"], s["HttpMethod"]): s for s in api["Properties"]["MethodSettings"]}


@pytest.mark.parametrize("stage", STAGES)
def test_the_stage_is_throttled_and_the_public_fire_endpoint_more_so(packaged, stage):
    template = _template(packaged, stage)
    settings = _settings(template)
    everything = settings[("/*", "*")]
    fire = settings[("/~1api~1routine-triggers~1public~1{publicId}~1fire", "POST")]
    for limits in (everything, fire):
        assert 0 < limits["ThrottlingRateLimit"] <= limits["ThrottlingBurstLimit"]
    assert fire["ThrottlingRateLimit"] < everything["ThrottlingRateLimit"]
    assert fire["ThrottlingBurstLimit"] < everything["ThrottlingBurstLimit"]
    # The throttled path is a real route of this API, spelled as MethodSettings want it.
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert "post" in paths[FIRE] and gateway.method_path(FIRE) == "/~1api~1routine-triggers~1public~1{publicId}~1fire"
    assert set(settings) == {("/*", "*"), (gateway.method_path(FIRE), "POST")}


def _every_seconds(schedule: str) -> int:
    number, unit = re.fullmatch(r"rate\((\d+) (minutes?|hours?)\)", schedule).groups()
    return int(number) * (60 if unit.startswith("minute") else 3600)


@pytest.mark.parametrize("stage", STAGES)
def test_the_scheduler_has_reserved_executions_for_every_overlapping_tick(packaged, stage):
    functions = _template(packaged, stage)["Resources"]
    tick = functions["SchedulerTick"]["Properties"]
    (event,) = tick["Events"].values()
    overlapping = math.ceil(tick["Timeout"] / _every_seconds(event["Properties"]["Schedule"]))
    assert overlapping == 5
    # Reserved: always available to the tick whatever the API does, and enough for every tick that
    # can still be running when the next one starts (more would only take from the account's pool).
    assert tick["ReservedConcurrentExecutions"] == overlapping
    assert "ReservedConcurrentExecutions" not in functions["APIHandler"]["Properties"]  # throttled at the stage instead
