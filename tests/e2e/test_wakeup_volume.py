"""A paused agent woken 4,000 times stays serviceable (issue 11).

Before wakeups were items of their own, every wakeup was appended to the queued run's item: at ~1,500
the item passed DynamoDB's 400 KB, every later comment/assign/mention/invoke for the agent was a 500
and a routine run for it was recorded failed ("Could not dispatch the run under contention").

4,000 is well past the ~1,500 at which the old design broke; nothing here grows with the count (the
run item's size and every call's requests are constant), so a larger count would only cost suite time
(10,000, as first written, took 35 s of it). One wakeup through the service costs ~30 ms on DynamoDB
Local on this machine, so:
SERVICE_WAKEUPS go through the service function (4 threads), SEEDED_WAKEUPS are written as the service
writes them (the same records and items, run_wakeups.item, in batches, with the run's count raised by
as many), and the API calls that used to break (comment, mention, assign, create assigned, routine
run, resume, invoke) come after them, when the run already holds ~4,000.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import botocore.session

from chalicelib.config import settings
from chalicelib.services.runtime import heartbeats, run_wakeups
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun, RunWakeup
from chalicelib.store.registry import ALL_MODELS
from tests.e2e.test_routines_crud import make_routine
from tests.issue_helpers import new_issue
from tests.item_size import item_bytes

SERVICE_WAKEUPS = 200
SEEDED_WAKEUPS = 3_760
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024


def item_sizes(table: str):
    client = botocore.session.get_session().create_client("dynamodb", region_name=settings().region)
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            yield item_bytes(item)


def seed_wakeups(run_id: str, company_id: str, records: list[dict]) -> None:
    with RunWakeup.batch_write() as batch:
        for record in records:
            batch.save(run_wakeups.item(run_id, company_id, record))
    HeartbeatRun(id=run_id).update(actions=[HeartbeatRun.wakeup_count.add(len(records))],
                                   condition=HeartbeatRun.status == "queued")


def test_four_thousand_wakeups_for_a_paused_agent(api, world, clock):
    alice = world.alice["id"]
    issue = new_issue(api, world, assigneeAgentId=alice)  # the run's first wakeup: issue_assigned
    routine = make_routine(api, world, title="Daily {{date}}")
    assert api.post(f"/api/agents/{alice}/pause").status == 200

    now = clock.now()
    with ThreadPoolExecutor(4) as pool:
        woken = list(pool.map(lambda i: heartbeats.wake(alice, "issue_commented", now, issueId=issue["id"],
                                                        commentId=f"comment-{i}"), range(SERVICE_WAKEUPS)))
    run_id = Agent.get(alice, consistent_read=True).next_wake_run_id
    assert set(woken) == {run_id}  # every call recorded its wakeup on the one queued run
    seed_wakeups(run_id, world.cid, [heartbeats.wakeup_record("issue_commented", now, issueId=issue["id"],
                                                              commentId=f"seeded-{i}") for i in range(SEEDED_WAKEUPS)])

    # the calls that used to be 500s once the run held ~1,500 wakeups: all succeed
    for i in range(10):
        r = api.post(f"/api/issues/{issue['id']}/comments", {"body": f"more work {i}"})
        assert r.status == 201, r
        r = api.post(f"/api/issues/{issue['id']}/comments", {"body": f"@alice please look {i}"})
        assert r.status == 201, r
        other = new_issue(api, world, status="todo")
        r = api.patch(f"/api/issues/{other['id']}", {"assigneeAgentId": alice})
        assert r.status == 200, r
        r = api.post(f"/api/companies/{world.cid}/issues", {"title": f"assigned {i}", "assigneeAgentId": alice})
        assert r.status == 201, r
    routine_run = api.post(f"/api/routines/{routine['id']}/run", {})
    assert routine_run.status == 202, routine_run
    assert routine_run.json["status"] != "failed", routine_run.json
    assert routine_run.json["failureReason"] is None
    expected = 1 + SERVICE_WAKEUPS + SEEDED_WAKEUPS + 40 + 1
    assert expected >= 4_000

    # no item of any table is over 100 KB (the run item holds a summary, not its wakeups)
    for model in ALL_MODELS:
        largest = max(item_sizes(model.Meta.table_name), default=0)
        assert largest < 100 * 1024, (model.Meta.table_name, largest)
    assert sum(1 for _ in RunWakeup.scan()) == expected

    queued = api.get(f"/api/agents/{alice}/heartbeat-runs?status=queued").json
    assert [(r["id"], r["wakeupCount"]) for r in queued] == [(run_id, expected)]

    # resumed, its queued run is served with its wakeups: the oldest 100 embedded, all counted
    assert api.post(f"/api/agents/{alice}/resume").status == 200
    invoked = api.post(f"/api/agents/{alice}/heartbeat/invoke")
    assert invoked.status == 200, invoked
    run = invoked.json["run"]
    assert (run["id"], run["status"], run["wakeupCount"]) == (run_id, "running", expected)
    assert len(run["wakeups"]) == run_wakeups.MAX_EMBEDDED_WAKEUPS
    assert (run["wakeups"][0]["reason"], run["wakeups"][0]["issueId"]) == ("issue_assigned", issue["id"])
    assert {w["commentId"] for w in run["wakeups"][1:]} <= {f"comment-{i}" for i in range(SERVICE_WAKEUPS)}
    assert (run["invocationSource"], run["contextSnapshot"]["issueId"]) == ("assignment", issue["id"])
    assert run["contextSnapshot"]["commentId"].startswith("comment-")
    detail = api.get(f"/api/heartbeat-runs/{run_id}")
    assert detail.status == 200 and detail.json["wakeupCount"] == expected
    assert len(json.dumps({"statusCode": 200, "body": detail.body.decode()})) < LAMBDA_RESPONSE_LIMIT
    listed = {i["issueId"] for i in api.get(f"/api/heartbeat-runs/{run_id}/issues").json}
    assert issue["id"] in listed
    assert HeartbeatRun.get(run_id).wakeups == []  # nothing in the legacy list


def test_an_item_size_refusal_is_a_413_and_a_failed_routine_run_says_why(api, world, clock):
    """A run item written before wakeups were items of their own can sit just under 400 KB (its legacy
    `wakeups` list): the next wakeup's small update makes DynamoDB refuse the write for its size. That
    is a 413 in the error shape (chalicelib/http/api.py), never a 500, and a routine run for the agent
    is recorded failed with that reason, not "under contention"."""
    alice = world.alice["id"]
    issue = new_issue(api, world, assigneeAgentId=alice)
    routine = make_routine(api, world, title="Daily {{date}}")
    run_id = Agent.get(alice, consistent_read=True).next_wake_run_id
    legacy = HeartbeatRun.get(run_id)  # the queued run of the assignment: give it a legacy list near 400 KB
    entry = {"reason": "issue_commented", "at": "2026-03-01T12:00:00.000Z", "note": "x" * 10_000}
    legacy.update(actions=[HeartbeatRun.wakeups.set([entry] * 40)])
    size = max(item_sizes(HeartbeatRun.Meta.table_name))
    pad = 409_600 - size - 120  # a little under the limit: any wakeup's summary update crosses it
    legacy.update(actions=[HeartbeatRun.wakeups.set([entry] * 39 + [{**entry, "note": "x" * (10_000 + pad)}])])
    assert 409_300 < max(item_sizes(HeartbeatRun.Meta.table_name)) <= 409_600

    r = api.post(f"/api/issues/{issue['id']}/comments", {"body": "one more"})
    assert r.status == 413, r
    assert r.json["error"] == "The change would make a stored item exceed DynamoDB's 400 KB item limit"
    assert r.json["details"]["maxItemBytes"] == 409_600
    routine_run = api.post(f"/api/routines/{routine['id']}/run", {})
    assert routine_run.status == 202, routine_run
    assert (routine_run.json["status"], routine_run.json["failureReason"]) == (
        "failed", "The change would make a stored item exceed DynamoDB's 400 KB item limit")
