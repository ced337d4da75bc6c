"""Cases for routines, triggers, runs and the public webhook endpoint."""
from __future__ import annotations

import json

from bench.cases.shapes import Call, Case, Listing, new_routine, new_trigger, seeded_many, unique
from bench.harness import World

RUN_CREATES_ISSUE_TARGET, COALESCED_RUN_TARGET, WEBHOOK_FIRE_TARGET = 10, 6, 10
SCHEDULE = {"kind": "schedule", "cronExpression": "0 9 * * 1-5", "timezone": "Europe/Amsterdam"}


def _run(routine_id: str, token: str, body: dict | None = None) -> Call:
    return Call("POST", f"/api/routines/{routine_id}/run", token, 202, body or {})


def _coalescing_routine(w: World) -> str:
    """A routine whose live execution issue is open: every further run coalesces into it."""
    def make() -> str:
        rid = new_routine(w)["id"]
        w.post(f"/api/routines/{rid}/run", {}, status=202)
        return rid

    return w.seeded("coalescing-routine", make)


def _replayed_run(w: World) -> Call:
    rid = _coalescing_routine(w)
    body = {"idempotencyKey": unique("evt").replace(" ", "-")}
    w.post(f"/api/routines/{rid}/run", body, status=202)
    return _run(rid, w.board, body)


def _fire(w: World, mode: str, fresh_routine: bool) -> Call:
    if fresh_routine:
        rid = new_routine(w)["id"]
        made = new_trigger(w, rid, kind="webhook", signingMode=mode)
    else:
        made = w.seeded(f"webhook-{mode}", lambda: new_trigger(w, new_routine(w)["id"], kind="webhook", signingMode=mode))
    public_id, secret = made["trigger"]["publicId"], made["secretMaterial"]["webhookSecret"]
    raw = json.dumps({"event": "deploy", "ref": "main"}).encode()
    if mode == "bearer":
        headers = {"Authorization": f"Bearer {secret}"}
    else:  # standard_webhooks: the webhook-id is remembered, so each call needs a new one
        from chalicelib import clock
        from chalicelib.logic.webhook_signatures import sign_standard_webhooks

        msg_id, stamp = unique("msg").replace(" ", "_"), int(clock.current().now().timestamp())
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(stamp),
                   "webhook-signature": sign_standard_webhooks(secret, msg_id, stamp, raw)}
    return Call("POST", f"/api/routine-triggers/public/{public_id}/fire", None, 202, raw=raw, headers=headers)


def _detailed_routine(w: World) -> str:
    """A routine with a schedule and a webhook trigger, a few runs and a live execution issue."""
    def make() -> str:
        rid = new_routine(w)["id"]
        new_trigger(w, rid, **SCHEDULE)
        new_trigger(w, rid, kind="webhook")
        for _ in range(3):
            w.post(f"/api/routines/{rid}/run", {}, status=202)
        return rid

    return w.seeded("detailed-routine", make)


def _trigger_id(w: World, **body) -> str:
    return new_trigger(w, new_routine(w)["id"], **body)["trigger"]["id"]


ROUTINES = "/api/companies/{companyId}/routines"
RUN = "/api/routines/{routineId}/run"
FIRE = "/api/routine-triggers/public/{publicId}/fire"
TRIGGERS = "/api/routines/{routineId}/triggers"

CASES = [
    Case("POST", ROUTINES, "board", lambda w: Call("POST", f"/api/companies/{w.cid}/routines", w.board, 201, {
        "title": unique("Routine"), "assigneeAgentId": w.alice, "projectId": w.project, "goalId": w.goal})),
    Case("GET", "/api/routines/{routineId}", "board", lambda w: Call("GET", f"/api/routines/{_detailed_routine(w)}", w.board),
         situation="2 triggers, 3 runs, live issue"),
    Case("PATCH", "/api/routines/{routineId}", "board", lambda w: Call(
        "PATCH", f"/api/routines/{new_routine(w)['id']}", w.board, body={"title": unique("Renamed")}), situation="title"),
    Case("POST", TRIGGERS, "board", lambda w: Call("POST", f"/api/routines/{new_routine(w)['id']}/triggers", w.board, 201, SCHEDULE),
         situation="schedule"),
    Case("POST", TRIGGERS, "board", lambda w: Call(
        "POST", f"/api/routines/{new_routine(w)['id']}/triggers", w.board, 201, {"kind": "webhook"}), situation="webhook (KMS)"),
    Case("POST", TRIGGERS, "board", lambda w: Call(
        "POST", f"/api/routines/{new_routine(w)['id']}/triggers", w.board, 201, {"kind": "api"}), situation="api"),
    Case("PATCH", "/api/routine-triggers/{triggerId}", "board", lambda w: Call(
        "PATCH", f"/api/routine-triggers/{_trigger_id(w, **SCHEDULE)}", w.board, body={"cronExpression": "30 8 * * *"}),
         situation="schedule: new cron"),
    Case("DELETE", "/api/routine-triggers/{triggerId}", "board", lambda w: Call(
        "DELETE", f"/api/routine-triggers/{_trigger_id(w, kind='webhook')}", w.board, 204), situation="webhook"),
    Case("POST", "/api/routine-triggers/{triggerId}/rotate-secret", "board", lambda w: Call(
        "POST", f"/api/routine-triggers/{_trigger_id(w, kind='webhook')}/rotate-secret", w.board)),
    Case("GET", "/api/routine-triggers/{triggerId}/preview", "board", lambda w: Call(
        "GET", f"/api/routine-triggers/{w.seeded('preview', lambda: _trigger_id(w, **SCHEDULE))}/preview?count=5", w.board)),

    Case("POST", RUN, "board", lambda w: _run(new_routine(w)["id"], w.board), RUN_CREATES_ISSUE_TARGET, "creates an issue"),
    Case("POST", RUN, "agent key", lambda w: _run(new_routine(w)["id"], w.alice_key), RUN_CREATES_ISSUE_TARGET,
         "its own routine; creates an issue"),
    Case("POST", RUN, "board", lambda w: _run(_coalescing_routine(w), w.board), COALESCED_RUN_TARGET, "coalesced"),
    Case("POST", RUN, "board", _replayed_run, situation="idempotent replay"),
    Case("POST", FIRE, "webhook bearer", lambda w: _fire(w, "bearer", True), WEBHOOK_FIRE_TARGET, "creates an issue"),
    Case("POST", FIRE, "webhook bearer", lambda w: _fire(w, "bearer", False), WEBHOOK_FIRE_TARGET, "coalesced"),
    Case("POST", FIRE, "standard_webhooks", lambda w: _fire(w, "standard_webhooks", True), WEBHOOK_FIRE_TARGET,
         "creates an issue; webhook-id kept"),
]


def _routines(w: World, n: int) -> tuple[str, str]:
    """Routines as they look in use: each with a trigger and a run that opened its execution issue."""
    def make(i: int) -> str:
        rid = new_routine(w, title=f"Listed {i}")["id"]
        new_trigger(w, rid, **SCHEDULE)
        w.post(f"/api/routines/{rid}/run", {}, status=202)
        return rid

    seeded_many(w, "routines", n, make)
    return f"/api/companies/{w.cid}/routines", w.board


def _runs(w: World, n: int) -> tuple[str, str]:
    rid = _coalescing_routine(w)
    seeded_many(w, "runs", n, lambda i: w.post(f"/api/routines/{rid}/run", {}, status=202))
    return f"/api/routines/{rid}/runs", w.board


LISTINGS = [
    Listing(ROUTINES, "board", _routines),
    Listing("/api/routines/{routineId}/runs", "board", _runs),
]
