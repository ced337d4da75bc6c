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
    body = EMOJI * 349_000  # the most such characters a body may hold (4 MiB escaped)
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


# --------------------------------------------------------------------------- issues

def _set_description(issue_id: str, description: str) -> None:
    from chalicelib.store.issues import Issue

    Issue(id=issue_id).update(actions=[Issue.description.set(description)])


def test_issue_detail_and_list_with_a_full_chain_of_maximal_issues(api, world):
    """51 issues in one parent chain (the 50-ancestor limit), each with the largest description the
    store takes (300 KB: 75,000 characters beyond the BMP, 900 KB escaped), the leaf with the largest
    plan document and 20 large work products: GET issue fits, the nearest ancestors in full; the
    issues list pages through all 51."""
    cid = world.cid
    description = EMOJI * 75_000
    chain = []
    parent = None
    for n in range(51):
        body = {"title": f"level {n}", "status": "todo", **({"parentId": parent} if parent else {})}
        response = api.post(f"/api/companies/{cid}/issues", body)
        assert response.status == 201, response
        parent = response.json["id"]
        chain.append(parent)
        _set_description(parent, description)
    leaf = chain[-1]
    plan = EMOJI * 349_000
    assert api.put(f"/api/issues/{leaf}/documents/plan", {"format": "markdown", "body": plan}).status == 201
    for n in range(20):
        response = api.post(f"/api/issues/{leaf}/work-products", {
            "type": "pull_request", "provider": "github", "title": EMOJI * 500, "summary": EMOJI * 10_000,
            "metadata": {"notes": CONTROL * 2_000},
        })
        assert response.status == 201, response

    detail = get_within_limit(api, f"/api/issues/{leaf}").json
    assert detail["description"] == description and detail["planDocument"]["body"] == plan
    _check_ancestors(detail["ancestors"], chain, description)
    assert api.delete(f"/api/issues/{leaf}/documents/plan").status == 204  # room for ancestors in full
    detail = get_within_limit(api, f"/api/issues/{leaf}").json
    assert _check_ancestors(detail["ancestors"], chain, description) >= 1
    assert 1 <= len(detail["workProducts"]) <= 20

    items, pages = every_page(api, f"/api/companies/{cid}/issues")
    _assert_adversarial(items)
    assert sorted(i["id"] for i in items) == sorted(chain)
    assert pages > 1


def _check_ancestors(ancestors: list, chain: list, description: str) -> int:
    """All 50, nearest first; the nearest in full, the rest abridged. Returns how many are in full."""
    _assert_adversarial([{"description": description}] * len(ancestors))
    assert [a["id"] for a in ancestors] == chain[-2::-1]
    full = [a for a in ancestors if not a.get("abridged")]
    assert full == ancestors[:len(full)], "the nearest are the ones in full"
    assert all(a["description"] == description and a["title"] for a in full)
    assert all(a["description"] is None and a["abridged"] is True and a["title"] for a in ancestors[len(full):])
    assert ancestors[len(full):], "50 descriptions of 900 KB cannot all fit"
    return len(full)


def test_comment_pages_of_maximal_comments(api, world, clock):
    from tests.issue_setup import make_issue

    issue = make_issue(api, world)
    ids = []
    for n in range(16):  # 65,536 characters: 458 KB (control) or 786 KB (emoji) escaped, each
        clock.advance(seconds=1)
        response = api.post(f"/api/issues/{issue['id']}/comments", {"body": (CONTROL if n % 2 else EMOJI) * 65_536})
        assert response.status == 201, response
        ids.append(response.json["id"])
    for order, expected in (("asc", ids), ("desc", ids[::-1])):
        items, pages = every_page(api, f"/api/issues/{issue['id']}/comments?order={order}")
        _assert_adversarial(items)
        assert [i["id"] for i in items] == expected
        assert pages > 1


def test_work_product_pages_of_large_products(api, world, clock):
    from tests.issue_setup import make_issue

    issue = make_issue(api, world)
    ids = []
    for n in range(60):  # ~140 KB escaped each: a 10,000-emoji summary, a 500-emoji title, 2,000 control characters
        clock.advance(seconds=1)
        response = api.post(f"/api/issues/{issue['id']}/work-products", {
            "type": "pull_request", "provider": "github", "title": EMOJI * 500, "summary": EMOJI * 10_000,
            "metadata": {"notes": CONTROL * 2_000},
        })
        assert response.status == 201, response
        ids.append(response.json["id"])
    items, pages = every_page(api, f"/api/issues/{issue['id']}/work-products")
    _assert_adversarial(items)
    assert sorted(i["id"] for i in items) == sorted(ids) and len(items) == 60
    assert pages > 1


def test_issue_detail_fills_its_budget_with_summaries_then_dependents_then_work_products(api, world, monkeypatch):
    """GET issue's lists beyond the issue itself fill what is left of the budget in a fixed order, each a
    prefix of the whole: document summaries, then the issues it blocks, then work products. With
    RESPONSE_BUDGET made small, every budget between "none fit" and "all fit" is tried."""
    from chalicelib import response_size

    cid = world.cid
    issue = api.post(f"/api/companies/{cid}/issues", {"title": "hub"}).json["id"]
    for key in ("d1", "d2", "d3", "d4"):
        assert api.put(f"/api/issues/{issue}/documents/{key}", {"format": "markdown", "body": key,
                                                                "title": EMOJI * 50}).status == 201
    for n in range(3):
        assert api.post(f"/api/companies/{cid}/issues", {"title": f"dep {n} " + EMOJI * 40,
                                                         "blockedByIssueIds": [issue]}).status == 201
        assert api.post(f"/api/issues/{issue}/work-products", {
            "type": "pull_request", "provider": "github", "title": f"PR {n} " + EMOJI * 40}).status == 201
    lists = ("documentSummaries", "blocks", "workProducts")
    full = api.get(f"/api/issues/{issue}").json
    assert [len(full[name]) for name in lists] == [4, 3, 3]
    monkeypatch.setattr(response_size, "RESPONSE_BUDGET", 0)
    bare = api.get(f"/api/issues/{issue}").json
    assert [bare[name] for name in lists] == [[], [], []]

    seen = set()
    for budget in range(response_size.body_len(bare), response_size.body_len(full) + 400, 150):
        monkeypatch.setattr(response_size, "RESPONSE_BUDGET", budget)
        got = api.get(f"/api/issues/{issue}").json
        counts = tuple(len(got[name]) for name in lists)
        for name in lists:
            assert got[name] == full[name][:len(got[name])], name
        for earlier, later in zip(lists, lists[1:]):
            if got[later]:
                assert got[earlier] == full[earlier], f"{later} before {earlier} was complete"
        assert response_size.body_len(got) <= budget + 100  # the empty lists' brackets counted twice at most
        seen.add(counts)
    assert (4, 3, 3) in seen and len(seen) >= 8  # partial prefixes of each list were reached


def test_heartbeat_context_fills_its_budget_in_order_and_omits_bodies_that_do_not_fit(api, world, monkeypatch):
    """heartbeat-context's large parts fill what is left of the budget in a fixed order: the wake
    comment, the continuation summary, the issues this one blocks, the attachments; a comment or summary
    that does not fit comes without its body (bodyOmitted), lists keep their first items. Every budget
    from "nothing fits" to "all fits" is tried with RESPONSE_BUDGET made small."""
    from chalicelib import response_size
    from tests.e2e.test_attachments import upload

    cid = world.cid
    issue = api.post(f"/api/companies/{cid}/issues", {"title": "hub"}).json
    wake = api.post(f"/api/issues/{issue['id']}/comments", {"body": "wake up " + EMOJI * 300}).json
    assert api.put(f"/api/issues/{issue['id']}/documents/continuation-summary",
                   {"format": "markdown", "body": "so far " + EMOJI * 300}).status == 201
    for n in range(3):
        assert api.post(f"/api/companies/{cid}/issues", {"title": f"dep {n} " + EMOJI * 40,
                                                         "blockedByIssueIds": [issue["id"]]}).status == 201
        assert upload(api, world, issue, filename=f"f{n}-" + "x" * 100 + ".png").status == 201
    url = f"/api/issues/{issue['id']}/heartbeat-context?wakeCommentId={wake['id']}"

    def parts(body):
        return [body["wakeComment"], body["continuationSummary"], body["issue"]["blocks"], body["attachments"]]

    full = api.get(url).json
    assert full["wakeComment"]["body"] == wake["body"] and full["continuationSummary"]["body"].startswith("so far")
    assert [len(full["issue"]["blocks"]), len(full["attachments"])] == [3, 3]
    monkeypatch.setattr(response_size, "RESPONSE_BUDGET", 0)
    bare = api.get(url).json
    assert bare["wakeComment"] == {**wake, "body": None, "bodyOmitted": True}
    assert bare["continuationSummary"]["body"] is None and bare["continuationSummary"]["bodyOmitted"] is True
    assert bare["issue"]["blocks"] == [] and bare["attachments"] == []
    assert {k: v for k, v in bare["issue"].items() if k != "blocks"} == {k: v for k, v in full["issue"].items() if k != "blocks"}

    seen = set()
    for budget in range(response_size.body_len(bare), response_size.body_len(full) + 300, 211):
        monkeypatch.setattr(response_size, "RESPONSE_BUDGET", budget)
        got = parts(api.get(url).json)
        wholes = [g == f for g, f in zip(got, parts(full))]
        for n, (g, f) in enumerate(zip(got, parts(full))):
            if isinstance(f, list):
                assert g == f[:len(g)]
                assert not g or all(wholes[:n]), f"part {n} before the earlier parts were whole"
            else:
                assert g == f or g == {**f, "body": None, "bodyOmitted": True}
                assert g != f or all(wholes[:n]), f"part {n} whole before the earlier parts"
        assert response_size.body_len(api.get(url).json) <= budget + 2_000  # omitted bodies' metadata
        seen.add(tuple(wholes))
    assert len(seen) == 5  # none whole, then each part in turn
