"""Trigger CRUD, schedule validation, the sparse "due" index, preview, rotation, secrets at rest (SPEC §6)."""
import json

import boto3

from chalicelib.store.registry import ALL_MODELS
from chalicelib.store.routines import RoutineTrigger
from tests.e2e.test_routines_crud import make_routine

SCHEDULE = {"kind": "schedule", "label": "Monday morning", "enabled": True, "cronExpression": "0 9 * * 1",
            "timezone": "Europe/Amsterdam"}


def add(api, routine_id, body, **kw):
    r = api.post(f"/api/routines/{routine_id}/triggers", body, **kw)
    assert r.status == 201, r
    return r.json


def due_ids():
    from chalicelib.config import settings

    found = set()
    for shard in range(settings().scheduler_shards):
        found |= {t.id for t in RoutineTrigger.due.query(str(shard))}
    return found


def test_schedule_trigger_seed_example(api, world):
    routine = make_routine(api, world)
    created = add(api, routine["id"], SCHEDULE)
    assert created["secretMaterial"] is None
    trigger = created["trigger"]
    assert trigger["kind"] == "schedule" and trigger["label"] == "Monday morning" and trigger["enabled"] is True
    # The fake clock is Sunday 2026-03-01 12:00Z; Monday 09:00 in Amsterdam (CET) is 08:00Z.
    assert trigger["nextRunAt"] == "2026-03-02T08:00:00.000Z"
    assert add(api, routine["id"], {"kind": "schedule", "cronExpression": "0 9 * * 1"})["trigger"]["timezone"] == "UTC"
    # PATCH seed example: disable and move; then enable again
    r = api.patch(f"/api/routine-triggers/{trigger['id']}", {"enabled": False, "cronExpression": "0 10 * * 1"})
    assert r.status == 200 and r.json["enabled"] is False and r.json["nextRunAt"] is None
    assert r.json["cronExpression"] == "0 10 * * 1"
    r = api.patch(f"/api/routine-triggers/{trigger['id']}", {"enabled": True})
    assert r.json["nextRunAt"] == "2026-03-02T09:00:00.000Z"
    r = api.patch(f"/api/routine-triggers/{trigger['id']}", {"timezone": "UTC"})
    assert r.json["nextRunAt"] == "2026-03-02T10:00:00.000Z"


def test_schedule_validation(api, world):
    rid = make_routine(api, world)["id"]
    path = f"/api/routines/{rid}/triggers"
    assert api.post(path, {"kind": "schedule", "cronExpression": "0 0 9 * * 1"}).status == 422
    assert api.post(path, {"kind": "schedule", "cronExpression": "0 9 * * 1 2026 x"}).status == 422
    assert api.post(path, {"kind": "schedule", "cronExpression": "0 9 * * 1", "timezone": "Mars/Olympus"}).status == 422
    assert api.post(path, {"kind": "schedule"}).status == 400
    assert api.post(path, {"kind": "schedule", "cronExpression": "0 9 * * 1", "signingMode": "bearer"}).status == 400
    assert api.post(path, {"kind": "hourly"}).status == 400
    assert api.post(path, {"kind": "api", "label": "x" * 121}).status == 400
    assert api.post(path, {"kind": "webhook", "replayWindowSec": 29}).status == 400
    assert api.post(path, {"kind": "webhook", "replayWindowSec": 86_401}).status == 400
    assert api.post("/api/routines/00000000-0000-4000-8000-000000000000/triggers", {"kind": "api"}).status == 404
    t = add(api, rid, SCHEDULE)["trigger"]
    assert api.patch(f"/api/routine-triggers/{t['id']}", {"cronExpression": "61 * * * *"}).status == 422
    assert api.patch(f"/api/routine-triggers/{t['id']}", {"signingMode": "bearer"}).status == 400


def test_required_variable_without_default_blocks_enabled_schedule(api, world):
    rid = make_routine(api, world, title="Report for {{client}}",
                       variables=[{"name": "client", "type": "text", "required": True}])["id"]
    path = f"/api/routines/{rid}/triggers"
    r = api.post(path, {"kind": "schedule", "cronExpression": "0 9 * * 1"})
    assert r.status == 422
    disabled = add(api, rid, {"kind": "schedule", "cronExpression": "0 9 * * 1", "enabled": False})["trigger"]
    assert disabled["nextRunAt"] is None
    assert api.patch(f"/api/routine-triggers/{disabled['id']}", {"enabled": True}).status == 422
    add(api, rid, {"kind": "webhook"})  # other kinds are fine: callers supply values


def test_due_index_follows_trigger_and_routine_state(api, world, clock):
    rid = make_routine(api, world)["id"]
    t = add(api, rid, SCHEDULE)["trigger"]
    hook = add(api, rid, {"kind": "webhook"})["trigger"]
    assert due_ids() == {t["id"]}
    assert api.patch(f"/api/routines/{rid}", {"status": "paused"}).status == 200
    assert due_ids() == set()
    clock.advance(days=8)  # paused through a whole week: nothing is "missed"
    assert api.patch(f"/api/routines/{rid}", {"status": "active"}).status == 200
    assert due_ids() == {t["id"]}
    nxt = api.get(f"/api/routines/{rid}").json["triggers"]
    assert [x["nextRunAt"] for x in nxt if x["id"] == t["id"]] == ["2026-03-16T08:00:00.000Z"]  # from now, not from the old tick
    api.patch(f"/api/routine-triggers/{t['id']}", {"enabled": False})
    assert due_ids() == set()
    api.patch(f"/api/routine-triggers/{t['id']}", {"enabled": True})
    assert due_ids() == {t["id"]}
    # a required variable without default makes the routine unrunnable by the scheduler
    r = api.patch(f"/api/routines/{rid}", {"variables": [{"name": "x", "required": True}]})
    assert r.status == 200 and due_ids() == set()
    api.patch(f"/api/routines/{rid}", {"variables": []})
    assert due_ids() == {t["id"]}
    api.patch(f"/api/routines/{rid}", {"status": "archived"})
    assert due_ids() == set()
    assert hook["id"] not in due_ids()


def test_webhook_trigger_create_rotate_delete(api, world):
    rid = make_routine(api, world)["id"]
    created = add(api, rid, {"kind": "webhook", "label": "Stripe event bridge", "enabled": True,
                             "signingMode": "bearer", "replayWindowSec": 300})
    trigger, material = created["trigger"], created["secretMaterial"]
    assert trigger["signingMode"] == "bearer" and trigger["replayWindowSec"] == 300
    assert len(trigger["publicId"]) >= 16
    assert material["webhookUrl"] == f"http://localhost:3100/api/routine-triggers/public/{trigger['publicId']}/fire"
    assert material["webhookSecret"].startswith("pcwh_")
    std = add(api, rid, {"kind": "webhook", "signingMode": "standard_webhooks"})["secretMaterial"]
    assert std["webhookSecret"].startswith("whsec_")
    assert add(api, rid, {"kind": "webhook", "label": "Webhook intake", "enabled": True,
                          "signingMode": "bearer"})["trigger"]["replayWindowSec"] == 300
    api_trigger = add(api, rid, {"kind": "api"})
    assert api_trigger["secretMaterial"] is None and api_trigger["trigger"]["publicId"] is None

    rotated = api.post(f"/api/routine-triggers/{trigger['id']}/rotate-secret")
    assert rotated.status == 200
    assert rotated.json["secretMaterial"]["webhookUrl"] == material["webhookUrl"]
    assert rotated.json["secretMaterial"]["webhookSecret"] != material["webhookSecret"]
    assert rotated.json["trigger"]["lastRotatedAt"] is not None
    assert api.post(f"/api/routine-triggers/{api_trigger['trigger']['id']}/rotate-secret").status == 422

    assert api.patch(f"/api/routine-triggers/{trigger['id']}", {"replayWindowSec": 600}).json["replayWindowSec"] == 600
    assert api.delete(f"/api/routine-triggers/{trigger['id']}").status == 204
    assert api.delete(f"/api/routine-triggers/{trigger['id']}").status == 404
    assert api.post(f"/api/routine-triggers/{trigger['id']}/rotate-secret").status == 404
    assert trigger["id"] not in {t["id"] for t in api.get(f"/api/routines/{rid}").json["triggers"]}


def test_secrets_never_stored_in_plaintext(api, world):
    rid = make_routine(api, world)["id"]
    secrets = [add(api, rid, {"kind": "webhook", "signingMode": mode})["secretMaterial"]["webhookSecret"]
               for mode in ("bearer", "hmac_sha256", "standard_webhooks")]
    trigger_id = api.get(f"/api/routines/{rid}").json["triggers"][0]["id"]
    secrets.append(api.post(f"/api/routine-triggers/{trigger_id}/rotate-secret").json["secretMaterial"]["webhookSecret"])
    client = boto3.client("dynamodb")
    dump = ""
    for model in ALL_MODELS:
        for page in client.get_paginator("scan").paginate(TableName=model.Meta.table_name):
            dump += json.dumps(page["Items"])
    for secret in secrets:
        assert secret not in dump
        assert secret.split("_", 1)[1] not in dump


def test_preview(api, world):
    rid = make_routine(api, world)["id"]
    t = add(api, rid, SCHEDULE)["trigger"]
    r = api.get(f"/api/routine-triggers/{t['id']}/preview")
    assert r.status == 200 and r.json["triggerId"] == t["id"]
    assert r.json["times"] == ["2026-03-02T08:00:00.000Z", "2026-03-09T08:00:00.000Z", "2026-03-16T08:00:00.000Z",
                               "2026-03-23T08:00:00.000Z", "2026-03-30T07:00:00.000Z"]  # DST starts 29 March
    assert len(api.get(f"/api/routine-triggers/{t['id']}/preview?count=50").json["times"]) == 50
    assert len(api.get(f"/api/routine-triggers/{t['id']}/preview?count=1").json["times"]) == 1
    for bad in ("0", "51", "abc", "-1"):
        assert api.get(f"/api/routine-triggers/{t['id']}/preview?count={bad}").status == 400
    hook = add(api, rid, {"kind": "webhook"})["trigger"]
    assert api.get(f"/api/routine-triggers/{hook['id']}/preview").status == 422
    assert api.get("/api/routine-triggers/nope/preview").status == 404


def test_agent_manages_triggers_of_own_routine_only(api, world):
    mine = make_routine(api, world)["id"]
    bobs = make_routine(api, world, assigneeAgentId=world.bob["id"])["id"]
    t = add(api, mine, {"kind": "webhook"}, token=world.alice_key)["trigger"]
    other = add(api, bobs, {"kind": "webhook"})["trigger"]
    assert api.post(f"/api/routine-triggers/{t['id']}/rotate-secret", token=world.alice_key).status == 200
    assert api.post(f"/api/routine-triggers/{other['id']}/rotate-secret", token=world.alice_key).status == 403
    assert api.patch(f"/api/routine-triggers/{other['id']}", {"label": "x"}, token=world.alice_key).status == 403
    assert api.delete(f"/api/routine-triggers/{other['id']}", token=world.alice_key).status == 403
    assert api.delete(f"/api/routine-triggers/{t['id']}", token=world.alice_key).status == 204
