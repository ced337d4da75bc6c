"""Property-based fuzzing of the whole API (schemathesis) against the running service.

Each test starts the app behind a real threaded HTTP server over the embedded moto server (the
`live_server` fixture), seeds a small world through the API, loads the OpenAPI document the server
serves at /api/openapi.json, and runs schemathesis over every operation: its coverage phase (boundary
and invalid values derived from each schema, deterministic) and its fuzzing phase (Hypothesis,
derandomized). Every response must pass four checks: no 5xx, a documented status code, a documented
content type, and a body that matches the documented schema.

Two passes, each its own test (so `-n 2` runs them side by side): the local board (AUTH_MODE
local_trusted, both phases) and an agent with its run JWT (AUTH_MODE authenticated, fuzzing phase only:
the invalid bodies of the coverage phase were sent by the board pass already).

Generated path parameters and id-valued body and query fields are random strings, which would make
nearly every request a 404. So most cases are pointed at the seeded entities (a fixed function of the
generated value decides which, so a failing case replays identically); cases that probe a parameter on
purpose (a coverage case about it, or an invalid component) keep their generated value. Operations
that destroy what they act on (terminate, DELETE) get entities of their own.

The budget is a fixed number of examples per operation, not a wall-clock limit, so a run is
reproducible: each pass generates the same requests every time (Hypothesis is pinned with schemathesis
in requirements-dev.txt). About 3,000 requests, roughly a minute in all.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")

CONFIG: dict[str, Any] = {
    "generation": {
        "mode": "all",  # valid and invalid requests
        "deterministic": True,
        # The tests send credentials themselves: random Authorization headers would only ever be 401.
        "with-security-parameters": False,
    },
    "phases": {
        "examples": {"enabled": False},
        # No probes with methods a path does not declare: those never reach the app (chalice local and
        # API Gateway answer them), and chalice local's http.server answers TRACE with its own 501.
        "coverage": {"unexpected-methods": []},
        "stateful": {"enabled": False},
    },
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
}

HYPOTHESIS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck), print_blob=False)
BOARD_EXAMPLES = 6  # fuzzing-phase examples per operation, board pass (the coverage phase adds its own)
AGENT_EXAMPLES = 4  # the agent pass mostly exercises authorization


@dataclass
class World:
    """What was seeded: candidates for each parameter name, and per-operation overrides."""

    base: str
    ids: dict[str, list[Any]] = field(default_factory=dict)
    overrides: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    agent_token: str = ""  # Alice's run JWT
    agent_run_id: str = ""  # that run

    def candidates(self, label: str, name: str) -> list[Any] | None:
        return self.overrides.get((label, name)) or self.ids.get(name)


class Seeder:
    def __init__(self, base: str):
        self.base = f"{base}/api"
        self.http = requests.Session()

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        response = self.http.request(method, f"{self.base}{path}", json=body, timeout=30, **kw)
        assert response.status_code in (200, 201, 202), (method, path, response.status_code, response.text)
        return response.json()

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def attach(self, cid: str, issue_id: str, name: str, data: bytes, content_type: str) -> dict:
        return self.post(f"/companies/{cid}/issues/{issue_id}/attachments", files={"file": (name, data, content_type)})


def seed(base: str) -> World:
    """A company with a project, goal, agents, issues (comment, documents, attachments), routines with
    every trigger kind and a run, heartbeat runs, and a second company for cross-company references."""
    s = Seeder(base)
    company = s.post("/companies", {"name": "Fuzz Co", "description": "seeded"})
    cid = company["id"]
    project = s.post(f"/companies/{cid}/projects", {"name": "Launch"})
    goal = s.post(f"/companies/{cid}/goals", {"title": "Grow"})
    sub_goal = s.post(f"/companies/{cid}/goals", {"title": "Grow more", "parentId": goal["id"], "level": "team"})
    alice = s.post(f"/companies/{cid}/agents", {"name": "Alice", "role": "engineer"})
    bob = s.post(f"/companies/{cid}/agents", {"name": "Bob Builder", "reportsTo": alice["id"]})
    victim = s.post(f"/companies/{cid}/agents", {"name": "Vic"})
    alice_key = s.post(f"/agents/{alice['id']}/keys", {"name": "fuzz"})
    spare_key = s.post(f"/agents/{alice['id']}/keys", {"name": "spare"})

    other = s.post("/companies", {"name": "Other Co"})
    other_project = s.post(f"/companies/{other['id']}/projects", {"name": "Elsewhere"})
    other_agent = s.post(f"/companies/{other['id']}/agents", {"name": "Olga"})

    parent = s.post(f"/companies/{cid}/issues", {"title": "Ship it", "projectId": project["id"], "goalId": goal["id"],
                                                   "assigneeAgentId": alice["id"], "priority": "high"})
    child = s.post(f"/companies/{cid}/issues", {"title": "Write <plan>", "parentId": parent["id"],
                                                  "description": "<plan>do it</plan>", "assigneeAgentId": bob["id"]})
    s.post(f"/issues/{parent['id']}/comments", {"body": "@Alice and @\"Bob Builder\", please"})
    plan = s.call("PUT", f"/issues/{parent['id']}/documents/plan", {"format": "markdown", "body": "# Plan", "title": "Plan"})
    s.call("PUT", f"/issues/{parent['id']}/documents/plan",
           {"format": "markdown", "body": "# Plan v2", "baseRevisionId": plan["latestRevisionId"]})
    s.call("PUT", f"/issues/{parent['id']}/documents/scratch", {"format": "markdown", "body": "scratch"})
    text = s.attach(cid, parent["id"], "notes.txt", b"hello", "text/plain")
    image = s.attach(cid, parent["id"], "dot.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x00", "image/png")
    spare_file = s.attach(cid, parent["id"], "spare.txt", b"bye", "text/plain")

    def routine(title: str, assignee: str, **extra: Any) -> dict:
        return s.post(f"/companies/{cid}/routines", {"title": title, "projectId": project["id"], "assigneeAgentId": assignee,
                                                     **extra})

    daily = routine("Daily {{date}} {{area}}", alice["id"], goalId=goal["id"], parentIssueId=parent["id"],
                    variables=[{"name": "area", "type": "select", "options": ["ops", "dev"], "defaultValue": "ops"}])
    other_routine = routine("Weekly review", bob["id"], concurrencyPolicy="always_enqueue")
    schedule = s.post(f"/routines/{daily['id']}/triggers",
                      {"kind": "schedule", "cronExpression": "30 2 * * 0", "timezone": "Europe/Amsterdam"})["trigger"]
    webhook = s.post(f"/routines/{daily['id']}/triggers", {"kind": "webhook", "signingMode": "none"})["trigger"]
    api_trigger = s.post(f"/routines/{daily['id']}/triggers", {"kind": "api", "label": "ci"})["trigger"]
    spare_trigger = s.post(f"/routines/{other_routine['id']}/triggers", {"kind": "webhook"})["trigger"]
    s.post(f"/routines/{daily['id']}/run", {"source": "api", "triggerId": api_trigger["id"], "idempotencyKey": "seed"})

    # Alice has a queued run (woken by her issue); Bob's invoke starts a running one with a token.
    bob_run = s.post(f"/agents/{bob['id']}/heartbeat/invoke")
    alice_runs = s.call("GET", f"/agents/{alice['id']}/heartbeat-runs")
    alice_run = s.post(f"/agents/{alice['id']}/heartbeat/invoke",
                       headers={"Authorization": f"Bearer {alice_key['token']}"})

    agents = [alice["id"], bob["id"], victim["id"]]
    issues = [parent["id"], parent["identifier"], child["id"], child["identifier"].lower()]
    world = World(base=base)
    world.ids = {
        "companyId": [cid, cid, cid, other["id"]],
        "agentId": agents,
        "keyId": [alice_key["id"]],
        "projectId": [project["id"], project["id"], other_project["id"]],
        "goalId": [goal["id"], sub_goal["id"]],
        "goalIds": [[goal["id"]], [goal["id"], sub_goal["id"]]],
        "issueId": issues,
        "parentId": issues,
        "parentIssueId": issues[:2],
        "key": ["plan", "PLAN"],
        "attachmentId": [text["id"], image["id"]],
        "routineId": [daily["id"], other_routine["id"]],
        "triggerId": [schedule["id"], webhook["id"], api_trigger["id"]],
        "publicId": [webhook["publicId"]],
        "runId": [bob_run["run"]["id"], alice_run["run"]["id"]] + [r["id"] for r in alice_runs],
        "assigneeAgentId": agents + [other_agent["id"]],
        "reportsTo": agents,
        "entityId": [parent["id"], alice["id"], daily["id"]],
    }
    world.overrides = {
        ("POST /api/agents/{agentId}/terminate", "agentId"): [victim["id"]],
        ("DELETE /api/agents/{agentId}/keys/{keyId}", "keyId"): [spare_key["id"]],
        ("DELETE /api/agents/{agentId}/keys/{keyId}", "agentId"): [alice["id"]],
        ("DELETE /api/issues/{issueId}/documents/{key}", "key"): ["scratch"],
        ("DELETE /api/issues/{issueId}/documents/{key}", "issueId"): [parent["id"]],
        ("DELETE /api/attachments/{attachmentId}", "attachmentId"): [spare_file["id"]],
        ("DELETE /api/routine-triggers/{triggerId}", "triggerId"): [spare_trigger["id"]],
        ("PATCH /api/routine-triggers/{triggerId}", "triggerId"): [schedule["id"], spare_trigger["id"]],
        ("PATCH /api/routines/{routineId}", "routineId"): [other_routine["id"]],
        # goals' parentId is a goal; an issue's is an issue
        ("POST /api/companies/{companyId}/goals", "parentId"): [goal["id"], sub_goal["id"]],
        ("PATCH /api/goals/{goalId}", "parentId"): [goal["id"], sub_goal["id"]],
        ("PATCH /api/goals/{goalId}", "goalId"): [sub_goal["id"]],
        ("PATCH /api/issues/{issueId}", "issueId"): [child["id"], child["identifier"]],
        ("POST /api/issues/{issueId}/checkout", "agentId"): [alice["id"], bob["id"]],
        ("POST /api/routines/{routineId}/run", "triggerId"): [api_trigger["id"], webhook["id"], spare_trigger["id"]],
    }
    world.agent_token = alice_run["token"]
    world.agent_run_id = alice_run["run"]["id"]
    return world


def _pick(candidates: list[Any], name: str, value: Any) -> Any:
    return candidates[zlib.crc32(f"{name}={value!r}".encode()) % len(candidates)]


def _keeps_generated(case: Any, location: ParameterLocation, name: str, value: Any) -> bool:
    """Whether this case's value for a parameter stays as generated rather than naming a seeded entity."""
    meta = case.meta
    if meta is None:
        return False
    component = meta.components.get(location)
    if component is not None and component.mode == GenerationMode.NEGATIVE:
        return True
    data = meta.phase.data
    if meta.phase.name == TestPhase.COVERAGE:
        return data.parameter == name or data.parameter_location == location and data.parameter is None
    # fuzzing: one case in four keeps its random id (and gets a 404)
    return zlib.crc32(f"{location}:{name}={value!r}".encode()) % 4 == 0


def target_seeded_entities(case: Any, world: World) -> None:
    label = case.operation.label
    for location, container in ((ParameterLocation.PATH, case.path_parameters), (ParameterLocation.QUERY, case.query),
                                (ParameterLocation.BODY, case.body)):
        if not isinstance(container, dict):
            continue
        for name, value in list(container.items()):
            candidates = world.candidates(label, name)
            if not candidates or not isinstance(value, (str, list)):
                continue
            if location == ParameterLocation.BODY and name == "goalIds" and not all(isinstance(v, str) for v in value):
                continue
            if not _keeps_generated(case, location, name, value):
                container[name] = _pick(candidates, name, value)


@pytest.fixture
def fuzz_world(live_server) -> World:
    return seed(live_server)


def _load(world: World, coverage: bool = True) -> Any:
    phases = {**CONFIG["phases"], "coverage": {**CONFIG["phases"]["coverage"], "enabled": coverage}}
    config = schemathesis.Config.from_dict({**CONFIG, "phases": phases, "base-url": world.base})
    return schemathesis.openapi.from_url(f"{world.base}/api/openapi.json", config=config)


@pytest.fixture
def board_schema(fuzz_world):
    """AUTH_MODE=local_trusted: requests without a token act as the local board (every company)."""
    return _load(fuzz_world)


@pytest.fixture
def agent_schema(fuzz_world, settings_env):
    """AUTH_MODE=authenticated, every request carrying Alice's run JWT."""
    settings_env(AUTH_MODE="authenticated")
    # Fuzzing only: the coverage phase's invalid bodies were all sent by the board pass already.
    return _load(fuzz_world, coverage=False)


board = schemathesis.pytest.from_fixture("board_schema")
agent = schemathesis.pytest.from_fixture("agent_schema")


@board.parametrize()
@settings(max_examples=BOARD_EXAMPLES, **HYPOTHESIS)
def test_api_as_board(case, fuzz_world):
    target_seeded_entities(case, fuzz_world)
    headers = {}
    if case.operation.path == "/api/issues/{issueId}/checkout":
        # the board checks out on behalf of an agent, naming one of its runs
        headers["X-Paperclip-Run-Id"] = fuzz_world.agent_run_id
    case.call_and_validate(headers=headers, timeout=30)


@agent.parametrize()
@settings(max_examples=AGENT_EXAMPLES, **HYPOTHESIS)
def test_api_as_agent(case, fuzz_world):
    target_seeded_entities(case, fuzz_world)
    headers = {"Authorization": f"Bearer {fuzz_world.agent_token}"}
    if case.operation.method.upper() != "GET":
        headers["X-Paperclip-Run-Id"] = fuzz_world.agent_run_id
    case.call_and_validate(headers=headers, timeout=30)

