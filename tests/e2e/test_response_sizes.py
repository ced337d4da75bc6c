"""Every endpoint family stays under Lambda's 6 MB response limit with adversarial data (issue #11).

Each test builds its family's worst case (items near DynamoDB's 400 KB limit, made of the characters
that grow most once escaped twice: control characters take 7 bytes in the envelope, characters beyond
the BMP 12), asserts that the data would NOT fit one response, then reads it back through the API:
every response's proxy-integration envelope (tests/response_size.py) is under 6,291,456 bytes, and
following X-Next-Cursor reaches every item exactly once. Large items are written straight into the
tables (the API's own bounds are smaller; what is stored is what a list must survive), the reads go
through the API.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.response_size import LAMBDA_RESPONSE_LIMIT, escaped_size, every_page, get_within_limit

CONTROL = "\x01"  # 1 byte stored, 7 in the envelope
EMOJI = "\U0001F600"  # 4 bytes stored, 12 in the envelope


def _stamps(clock, n: int) -> list:
    start = clock.now()
    return [start + timedelta(seconds=i) for i in range(n)]


def _assert_adversarial(items: list) -> None:
    assert sum(escaped_size(i) for i in items) > LAMBDA_RESPONSE_LIMIT, "the data must not fit one response"


# --------------------------------------------------------------------------- activity

def test_activity_pages_of_large_entries(api, world, clock):
    from chalicelib.services import activity

    for when in _stamps(clock, 24):  # details stored as JSON text: 6 bytes a control character, 7 escaped
        activity.entry(None, world.cid, "issue.updated", "issue", "x", when, {"note": CONTROL * 60_000}).save()
    items, pages = every_page(api, f"/api/companies/{world.cid}/activity?limit=200")
    _assert_adversarial(items)
    noted = [i for i in items if (i.get("details") or {}).get("note")]
    assert len(noted) == 24 and len({i["id"] for i in noted}) == 24
    assert pages > 1


# --------------------------------------------------------------------------- heartbeat runs

def test_heartbeat_runs_pages_of_large_runs(api, world, clock):
    from chalicelib.clock import iso
    from chalicelib.ids import new_id
    from chalicelib.store.heartbeats import HeartbeatRun

    agent = world.alice["id"]
    for when in _stamps(clock, 8):
        HeartbeatRun(id=new_id(), company_id=world.cid, agent_id=agent, status="succeeded", created_at=iso(when),
                     finished_at=iso(when), wakeups=[{"reason": CONTROL * 300_000}]).save()
    items, pages = every_page(api, f"/api/agents/{agent}/heartbeat-runs?limit=200")
    _assert_adversarial(items)
    assert len(items) == 8 == len({i["id"] for i in items})
    assert pages >= 4


# --------------------------------------------------------------------------- routines and their runs

@pytest.fixture
def routine(api, world):
    response = api.post(f"/api/companies/{world.cid}/routines", {
        "title": "Nightly", "projectId": world.project["id"], "assigneeAgentId": world.alice["id"],
        "description": EMOJI * 10_000,
    })
    assert response.status == 201, response
    return response.json


def _store_runs(routine: dict, stamps: list) -> list[str]:
    """Runs whose payload is ~360 KB of JSON text (the item limit), ~420 KB once escaped."""
    from chalicelib.clock import iso
    from chalicelib.ids import new_id
    from chalicelib.store.routines import RoutineRun

    ids = []
    for when in stamps:
        run_id = new_id()
        RoutineRun(id=run_id, routine_id=routine["id"], company_id=routine["companyId"], status="issue_created",
                   source="api", trigger_payload={"text": CONTROL * 60_000}, triggered_at=iso(when),
                   created_at=iso(when), created_key=f"{iso(when)}#{run_id}").save()
        ids.append(run_id)
    return ids


def test_routine_runs_pages_of_large_payloads(api, routine, clock):
    ids = _store_runs(routine, _stamps(clock, 30))
    items, pages = every_page(api, f"/api/routines/{routine['id']}/runs?limit=200")
    _assert_adversarial(items)
    assert [i["id"] for i in items] == ids[::-1]
    assert pages > 1


def test_routine_detail_keeps_the_recent_runs_that_fit(api, routine, clock):
    ids = _store_runs(routine, _stamps(clock, 25))
    detail = get_within_limit(api, f"/api/routines/{routine['id']}").json
    _assert_adversarial([detail["recentRuns"][0]] * 25)
    assert 1 <= len(detail["recentRuns"]) < 25
    assert [r["id"] for r in detail["recentRuns"]] == ids[::-1][:len(detail["recentRuns"])]  # the newest
    assert detail["lastRun"]["id"] == ids[-1]


def test_routines_list_with_large_descriptions_and_last_runs(api, world, clock):
    from chalicelib.store.routines import Routine

    routines = []
    for n in range(14):
        clock.advance(seconds=1)
        response = api.post(f"/api/companies/{world.cid}/routines", {
            "title": f"R{n}", "projectId": world.project["id"], "description": EMOJI * 10_000,
        })
        assert response.status == 201, response
        routines.append(response.json)
        run_id = _store_runs(response.json, [clock.now()])[0]
        Routine(id=response.json["id"]).update(actions=[Routine.last_run_id.set(run_id)])
    items, pages = every_page(api, f"/api/companies/{world.cid}/routines?limit=200")
    _assert_adversarial(items)
    assert sorted(i["id"] for i in items) == sorted(r["id"] for r in routines)
    assert all(i["lastRun"] and len(i["lastRun"]["triggerPayload"]["text"]) == 60_000 for i in items)
    assert pages > 1


# --------------------------------------------------------------------------- documents

def test_document_revisions_of_maximal_bodies(api, world):
    from tests.issue_setup import make_issue

    issue = make_issue(api, world)
    url = f"/api/issues/{issue['id']}/documents/notes"
    body = EMOJI * 349_000  # the most such characters a body may hold (4 MB escaped)
    base = None
    ids = []
    for n in range(4):
        payload = {"format": "markdown", "body": body[:-n] if n else body}
        if base:
            payload["baseRevisionId"] = base
        response = api.put(url, payload)
        assert response.status in (200, 201), response
        base = response.json["latestRevisionId"]
        ids.append(base)
    assert get_within_limit(api, url).json["body"] == body[:-3]
    items, pages = every_page(api, f"{url}/revisions?limit=200")
    _assert_adversarial(items)
    assert [i["id"] for i in items] == ids[::-1]
    assert pages == 4
