"""Holes found under attack, each closed end to end (issue #10 items 7, 8, 10, 11, 12)."""
import json
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook

from tests.e2e.test_routines_crud import make_routine
from tests.e2e.test_webhooks import TS, fire, webhook
from tests.issue_helpers import checkout, new_issue, start_run

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def _sw_headers(material, msg_id: str, body: bytes) -> dict:
    sender = Webhook(material["webhookSecret"])
    return {"webhook-id": msg_id, "webhook-timestamp": TS, "webhook-signature": sender.sign(msg_id, NOW, body.decode())}


def test_a_standard_webhooks_retry_of_a_failed_delivery_is_accepted(api, world):
    routine, trigger, material = webhook(api, world, "standard_webhooks")
    bad = b'{"event": '  # the delivery fails: malformed body
    assert fire(api, trigger["publicId"], bad, _sw_headers(material, "msg_retry", bad)).status == 400
    # paused routine: the delivery fails with 409; its retry must still be possible later
    assert api.patch(f"/api/routines/{routine['id']}", {"status": "paused"}).status == 200
    good = b'{"event": "invoice.paid"}'
    assert fire(api, trigger["publicId"], good, _sw_headers(material, "msg_retry", good)).status == 409
    assert api.patch(f"/api/routines/{routine['id']}", {"status": "active"}).status == 200
    ok = fire(api, trigger["publicId"], good, _sw_headers(material, "msg_retry", good))
    assert ok.status == 202, ok
    # once accepted, the same id is a replay
    again = fire(api, trigger["publicId"], good, _sw_headers(material, "msg_retry", good))
    assert again.status == 401 and again.json == {"error": "Unauthorized"}
    assert len(api.get(f"/api/routines/{routine['id']}/runs").json) == 1


def test_a_paused_routine_says_nothing_before_the_signature(api, world):
    routine, trigger, material = webhook(api, world)
    assert api.patch(f"/api/routines/{routine['id']}", {"status": "paused"}).status == 200
    r = fire(api, trigger["publicId"], {}, {"Authorization": "Bearer guessed"})
    assert r.status == 401 and r.json == {"error": "Unauthorized"}
    r = fire(api, trigger["publicId"], {}, {"Authorization": f"Bearer {material['webhookSecret']}"})
    assert r.status == 409 and r.json["details"] == {"status": "paused"}


def test_a_reference_into_an_unseen_company_looks_missing(api, world, clock):
    from chalicelib.services.org import board_users

    other = api.post("/api/companies", {"name": "Secret Co"}).json
    theirs = api.post(f"/api/companies/{other['id']}/issues", {"title": "Hidden"}).json
    _, member = board_users.create(None, {"name": "M", "memberships": {world.cid: ["tasks:assign"]}}, clock.now())
    for ref in (theirs["id"], theirs["identifier"]):
        r = api.post(f"/api/companies/{world.cid}/issues", {"title": "Child", "parentId": ref}, token=member)
        assert r.status == 404 and r.json["details"] == {"parentId": ref}, r
    # an instance admin, who can see both companies, is told why: echoing what it sent, not the UUID
    r = api.post(f"/api/companies/{world.cid}/issues", {"title": "Child", "parentId": theirs["identifier"]})
    assert r.status == 422 and r.json["details"] == {"parentId": theirs["identifier"]}
    assert theirs["id"] not in r.body.decode()


def test_an_idempotent_replay_is_decided_before_todays_state(api, world):
    routine = make_routine(api, world)
    body = {"payload": {"n": 1}, "idempotencyKey": "k1"}
    first = api.post(f"/api/routines/{routine['id']}/run", body)
    assert first.status == 202
    variables = [{"name": "customer", "type": "text", "required": True}]
    r = api.patch(f"/api/routines/{routine['id']}",
                  {"variables": variables, "description": "For {{customer}}"})
    assert r.status == 200, r
    assert api.post(f"/api/routines/{routine['id']}/run", {"payload": {"n": 2}}).status == 422  # today's rule
    replay = api.post(f"/api/routines/{routine['id']}/run", body)
    assert replay.status == 202 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json["id"] == first.json["id"]
    assert api.patch(f"/api/routines/{routine['id']}", {"status": "archived"}).status == 200
    replay = api.post(f"/api/routines/{routine['id']}/run", body)
    assert replay.status == 202 and replay.json["id"] == first.json["id"]
    # the key with other overrides is a different request: 422, not a replay
    r = api.post(f"/api/routines/{routine['id']}/run", {**body, "assigneeAgentId": world.bob["id"]})
    assert r.status == 422


def test_non_standard_json_is_refused_everywhere_a_body_is_read(api, world):
    routine = make_routine(api, world)
    for raw in (b'{"payload": {"x": NaN}}', b'{"payload": {"x": 1e400}}', b'{"payload": {"x": -Infinity}}'):
        r = api.post(f"/api/routines/{routine['id']}/run", raw=raw)
        assert r.status == 400 and r.json["error"] == "Malformed JSON body", (raw, r)
    assert api.get(f"/api/routines/{routine['id']}/runs").json == []
    _, trigger, material = webhook(api, world)
    r = fire(api, trigger["publicId"], b'{"x": NaN}', {"Authorization": f"Bearer {material['webhookSecret']}"})
    assert r.status == 400
    utf16 = json.dumps({"title": "Sixteen"}).encode("utf-16")
    r = api.post(f"/api/companies/{world.cid}/issues", raw=utf16)
    assert r.status == 400 and r.json["details"] == {"body": "the body is not UTF-8"}
    big = api.post(f"/api/routines/{routine['id']}/run", raw=b'{"payload": {"x": 1e300, "y": 123456789012345678901234567890}}')
    assert big.status == 202 and json.loads(api.get(f"/api/routines/{routine['id']}/runs").body)[0]["triggerPayload"] == \
        {"x": 1e300, "y": 123456789012345678901234567890}


def test_a_forged_cursor_is_400_on_every_list(api, world):
    import base64

    forged = base64.urlsafe_b64encode(json.dumps({"nope": {"S": "x"}}).encode()).decode().rstrip("=")
    for path in ("/api/companies", f"/api/companies/{world.cid}/issues", f"/api/companies/{world.cid}/agents"):
        r = api.get(f"{path}?cursor={forged}")
        assert r.status == 400 and r.json["details"] == {"cursor": "not a cursor this endpoint issued"}, (path, r)


def test_files_of_an_issue_another_run_holds_are_its_own(api, world):
    issue = new_issue(api, world, assigneeAgentId=world.alice["id"])
    _, alice_token = start_run(api, world.alice["id"])
    assert checkout(api, issue["id"], world.alice["id"], alice_token, ["todo"]).status == 200
    doc = {"format": "markdown", "body": "# Plan"}
    assert api.put(f"/api/issues/{issue['id']}/documents/plan", doc, token=alice_token).status == 201
    boundary = "b0undary"
    upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
              f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n").encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    mine = api.post(f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=upload, headers=headers,
                    token=alice_token)
    assert mine.status == 201, mine

    _, bob_token = start_run(api, world.bob["id"])
    latest = api.get(f"/api/issues/{issue['id']}/documents/plan").json["latestRevisionId"]
    r = api.put(f"/api/issues/{issue['id']}/documents/plan", {**doc, "baseRevisionId": latest}, token=bob_token)
    assert r.status == 409 and r.json["error"] == "Issue is checked out by another run"
    r = api.post(f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=upload, headers=headers,
                 token=bob_token)
    assert r.status == 409
    assert api.delete(f"/api/attachments/{mine.json['id']}", token=bob_token).status == 409
    assert api.delete(f"/api/issues/{issue['id']}/documents/plan", token=alice_token).status == 403  # agents never
    # the holder and the board may
    assert api.delete(f"/api/attachments/{mine.json['id']}", token=alice_token).status == 204
    assert api.delete(f"/api/issues/{issue['id']}/documents/plan").status == 204
