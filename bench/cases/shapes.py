"""What a benchmark case is, and the builders the cases share.

A `Case` is one endpoint called by one principal in one situation. Its `prepare` does the set-up through
the API (not measured) and returns the `Call` to measure. A `Listing` is a list endpoint, measured at
several page sizes to show that the number of requests does not grow with the page.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable

from bench.harness import Response, World, expect


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    token: str | None
    status: int = 200
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the path as the OpenAPI document spells it
    principal: str
    prepare: Callable[[World], Call]
    target: int | None = None  # SPEC §8 budget of DynamoDB requests, where it sets one
    situation: str = ""
    repeatable: bool = True  # False: each call changes what the next one costs (not timed repeatedly)


@dataclass(frozen=True)
class Listing:
    route: str  # a GET route returning an array
    principal: str
    collection: Callable[[World, int], tuple[str, str]]  # (path, token) of a collection of >= n items
    paged: bool = True  # False: the endpoint returns the whole collection; it is seeded with exactly n


_serial = itertools.count(1)


def unique(stem: str) -> str:
    return f"{stem} {next(_serial)}"


def unique_letters() -> str:
    """A company name whose first three letters no other bench company has (so its prefix is free)."""
    n = next(_serial) + 26 * 26  # skip AAx..AZx: plain words like "Acme" start there
    letters = "".join(chr(ord("A") + (n // 26 ** i) % 26) for i in (2, 1, 0))
    return f"{letters} Works"


def new_issue(world: World, **fields: Any) -> dict:
    return world.post(f"/api/companies/{world.cid}/issues", {"title": unique("Issue"), **fields})


def new_agent(world: World) -> str:
    return world.post(f"/api/companies/{world.cid}/agents", {"name": unique("Agent")})["id"]


def new_routine(world: World, **fields: Any) -> dict:
    body = {"title": unique("Routine"), "description": "Compile the status report", "assigneeAgentId": world.alice,
            "projectId": world.project, "goalId": world.goal, **fields}
    return world.post(f"/api/companies/{world.cid}/routines", body)


def new_trigger(world: World, routine_id: str, **body: Any) -> dict:
    """`{"trigger", "secretMaterial"}` of a new trigger of the routine."""
    return world.post(f"/api/routines/{routine_id}/triggers", body)


def invoke(world: World, agent_id: str) -> tuple[str, str]:
    """A running heartbeat run of the agent: (run id, run JWT)."""
    started = world.post(f"/api/agents/{agent_id}/heartbeat/invoke", status=200)
    return started["run"]["id"], started["token"]


def seeded_many(world: World, name: str, n: int, make_one: Callable[[int], Any]) -> list[Any]:
    """A list of n items made once per world under `name`, grown when a larger n is asked for."""
    items = world.cache.setdefault(name, [])
    while len(items) < n:
        items.append(make_one(len(items)))
    return items


def send(world: World, call: Call) -> Response:
    """Make the call; a status other than the expected one stops the benchmark (it would measure an error path)."""
    response = world.client.call(call.method, call.path, call.body, token=call.token, run_id=call.run_id, raw=call.raw,
                                 headers=call.headers)
    return expect(response, call.status, f"{call.method} {call.path}")


def company_items(path: str, body_of):
    """A listing collection: n items POSTed under /api/companies/{cid}/{path} by the board."""
    def collection(w: World, n: int) -> tuple[str, str]:
        seeded_many(w, path, n, lambda i: w.post(f"/api/companies/{w.cid}/{path}", body_of(i)))
        return f"/api/companies/{w.cid}/{path}", w.board

    return collection
