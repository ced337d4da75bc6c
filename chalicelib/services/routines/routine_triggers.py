"""Routine triggers: schedule, webhook and api (SPEC §6).

Every trigger write conditions on and moves the routine's `updated_key`, and keeps the trigger's entry
in the scheduler's "due" index (due_index.py) in line in the same transaction.

Webhook secrets are shown only in the create and rotate responses; at rest they are a KMS envelope.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import iso
from chalicelib.config import settings
from chalicelib.errors import BadRequest, Conflict, NotFound, Unprocessable
from chalicelib.ids import new_id, new_public_id
from chalicelib.logic import cron_schedule, routine_variables as rv
from chalicelib.logic.webhook_signatures import generate_secret
from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.services.routines import routine_lookup, webhook_secrets
from chalicelib.services.routines.due_index import apply_index, next_run
from chalicelib.store.routines import Routine, RoutineTrigger
from chalicelib.store.transactions import Transaction, TransactionConflict

KINDS = ("schedule", "webhook", "api")
_KIND_FIELDS = {
    "schedule": {"cronExpression", "timezone"},
    "webhook": {"signingMode", "replayWindowSec"},
    "api": set(),
}
_COMMON = {"kind", "label", "enabled"}


def _managed(principal: Principal, trigger_id: str) -> tuple[RoutineTrigger, Routine]:
    trigger = routine_lookup.find_trigger(trigger_id)
    routine = routine_lookup.get_visible(principal, trigger.routine_id, "routine.manage")
    return trigger, routine


def _validate_schedule(trigger: RoutineTrigger) -> None:
    try:
        cron_schedule.validate_cron(trigger.cron_expression)
    except cron_schedule.CronError as exc:
        raise Unprocessable(str(exc), {"cronExpression": trigger.cron_expression})
    try:
        cron_schedule.validate_timezone(trigger.timezone)
    except cron_schedule.TimezoneError as exc:
        raise Unprocessable(str(exc), {"timezone": trigger.timezone})


def _require_runnable_schedule(trigger: RoutineTrigger, routine: Routine) -> None:
    if trigger.kind == "schedule" and trigger.enabled and rv.has_unresolvable_required(routine.variables or []):
        missing = [d["name"] for d in routine.variables or [] if d.get("required", True) and d.get("defaultValue") in (None, "")]
        raise Unprocessable("A schedule trigger cannot run a routine whose required variables have no default",
                            {"variables": missing})


def _touch_routine(tx: Transaction, routine: Routine, now: datetime, extra: tuple = ()) -> None:
    """Serialise with routine updates (see module docstring); `extra`: the routine's `trigger_ids` change."""
    stamp = iso(now)
    tx.update(routine, actions=[Routine.updated_at.set(stamp), Routine.updated_key.set(routine_lookup.updated_key(stamp, routine.id)),
                                *extra],
              condition=Routine.updated_key == routine.updated_key, tag="routine")


def _commit(tx: Transaction) -> None:
    try:
        tx.commit()
    except (TransactionConflict, TransactWriteError):
        raise Conflict("The routine changed meanwhile; reload and retry")


def _secret_material(trigger: RoutineTrigger, secret: str) -> dict[str, str]:
    return {"webhookUrl": webhook_url(trigger.public_id), "webhookSecret": secret}


def webhook_url(public_id: str) -> str:
    return f"{settings().public_base_url}/api/routine-triggers/public/{public_id}/fire"


def create(principal: Principal, routine_id: str, data: dict[str, Any], now: datetime) -> tuple[RoutineTrigger, dict | None]:
    routine = routine_lookup.get_visible(principal, routine_id, "routine.manage")
    kind = data["kind"]
    stray = sorted(set(data) - _COMMON - _KIND_FIELDS[kind])
    if stray:
        raise BadRequest("Validation failed", {f: f"not allowed for {kind} triggers" for f in stray})
    stamp, trigger_id = iso(now), new_id()
    trigger = RoutineTrigger(id=trigger_id, routine_id=routine.id, company_id=routine.company_id, kind=kind,
                             label=data.get("label"), enabled=data.get("enabled", True) is not False,
                             created_at=stamp, updated_at=stamp)
    secret = None
    if kind == "schedule":
        if not data.get("cronExpression"):
            raise BadRequest("Validation failed", {"cronExpression": "required for schedule triggers"})
        trigger.cron_expression, trigger.timezone = data["cronExpression"], data.get("timezone") or "UTC"
        _validate_schedule(trigger)
        _require_runnable_schedule(trigger, routine)
        trigger.next_run_at = next_run(trigger, now) if trigger.enabled else None
        apply_index(trigger, routine)
    elif kind == "webhook":
        trigger.signing_mode = data.get("signingMode") or "bearer"
        trigger.replay_window_sec = data.get("replayWindowSec") or 300
        trigger.public_id = new_public_id()
        secret = generate_secret(trigger.signing_mode)
        trigger.secret_envelope = webhook_secrets.seal(secret, trigger.id)
        trigger.last_rotated_at = stamp
    tx = Transaction()
    tx.save(trigger, condition=RoutineTrigger.id.does_not_exist())
    _touch_routine(tx, routine, now, (Routine.trigger_ids.add({trigger.id}),))
    tx.save(activity.entry(principal, routine.company_id, "routine.trigger_created", "routine_trigger", trigger.id, now,
                           {"routineId": routine.id, "kind": kind}))
    _commit(tx)
    return trigger, (_secret_material(trigger, secret) if secret else None)


def update(principal: Principal, trigger_id: str, data: dict[str, Any], now: datetime) -> RoutineTrigger:
    """Writes only what changes (UpdateItem), conditioned on what the decision read: the schedule
    fields and `enabled` it recomputed nextRunAt from, the signing mode it validated against. The
    scheduler's concurrent writes (nextRunAt, lastFiredAt, lastResult) and a concurrent secret rotation
    are never undone (issue #10)."""
    trigger, routine = _managed(principal, trigger_id)
    stray = sorted(set(data) - {"label", "enabled"} - _KIND_FIELDS[trigger.kind])
    if stray:
        raise BadRequest("Validation failed", {f: f"not allowed for {trigger.kind} triggers" for f in stray})
    for wire in ("enabled", "cronExpression", "timezone", "signingMode", "replayWindowSec"):
        if wire in data and data[wire] is None:
            raise BadRequest("Validation failed", {wire: "must not be null"})
    read = {a: getattr(trigger, a) for a in _WRITABLE}
    for wire, attr in _PLAIN_FIELDS.items():
        if wire in data:
            setattr(trigger, attr, data[wire])
    decided_on: list[str] = []  # attributes whose read values the new values were computed from
    if trigger.kind == "schedule":
        _validate_schedule(trigger)
        _require_runnable_schedule(trigger, routine)
        schedule_changed = (trigger.cron_expression, trigger.timezone) != (read["cron_expression"], read["timezone"])
        if not trigger.enabled:
            trigger.next_run_at = None
        elif schedule_changed or not read["enabled"] or not trigger.next_run_at:
            trigger.next_run_at = next_run(trigger, now)
        apply_index(trigger, routine)
        decided_on = ["enabled", "cron_expression", "timezone"]
        if trigger.next_run_at == read["next_run_at"] and trigger.due_shard != read["due_shard"]:
            decided_on.append("next_run_at")  # re-indexed at the schedule point it read
    trigger.updated_at = iso(now)
    actions = [_set_or_remove(getattr(RoutineTrigger, a), getattr(trigger, a)) for a in _WRITABLE
               if getattr(trigger, a) != read[a]]
    condition = RoutineTrigger.id.exists()
    for attr in decided_on:
        condition = condition & _same(getattr(RoutineTrigger, attr), read[attr])
    tx = Transaction()
    tx.update(RoutineTrigger(id=trigger.id), actions=actions + [RoutineTrigger.updated_at.set(trigger.updated_at)],
              condition=condition, tag="trigger")
    _touch_routine(tx, routine, now)
    tx.save(activity.entry(principal, routine.company_id, "routine.trigger_updated", "routine_trigger", trigger.id, now,
                           {"routineId": routine.id, "changes": sorted(data)}))
    _commit(tx)
    return RoutineTrigger.get(trigger.id, consistent_read=True)


# body field -> attribute, for fields copied as given (kind checks above decide which are allowed)
_PLAIN_FIELDS = {"label": "label", "enabled": "enabled", "cronExpression": "cron_expression", "timezone": "timezone",
                 "signingMode": "signing_mode", "replayWindowSec": "replay_window_sec"}
# what a PATCH may write besides updated_at
_WRITABLE = ("label", "enabled", "cron_expression", "timezone", "next_run_at", "due_shard", "signing_mode",
             "replay_window_sec")


def _same(attribute: Any, value: Any) -> Any:
    """Condition: the attribute still holds `value` (absent when None)."""
    return attribute == value if value is not None else attribute.does_not_exist()


def _set_or_remove(attribute: Any, value: Any) -> Any:
    return attribute.set(value) if value is not None else attribute.remove()


def delete(principal: Principal, trigger_id: str, now: datetime) -> None:
    """Deleting the item deletes its encrypted secret with it."""
    trigger, routine = _managed(principal, trigger_id)
    tx = Transaction()
    tx.delete(trigger, condition=RoutineTrigger.id.exists())
    _touch_routine(tx, routine, now, (Routine.trigger_ids.delete({trigger.id}),))
    tx.save(activity.entry(principal, routine.company_id, "routine.trigger_deleted", "routine_trigger", trigger.id, now,
                           {"routineId": routine.id}))
    _commit(tx)


def rotate_secret(principal: Principal, trigger_id: str, now: datetime) -> tuple[RoutineTrigger, dict]:
    """A fresh secret replaces the envelope at once (the old one no longer verifies); the URL stays."""
    trigger, routine = _managed(principal, trigger_id)
    if trigger.kind != "webhook":
        raise Unprocessable("Only webhook triggers have a secret to rotate", {"kind": trigger.kind})
    secret = generate_secret(trigger.signing_mode)
    tx = Transaction()
    # The secret's format follows the signing mode it was generated for: a concurrent mode change fails it.
    set_secret(trigger, secret, now, tx, condition=_same(RoutineTrigger.signing_mode, trigger.signing_mode))
    tx.save(activity.entry(principal, routine.company_id, "routine.trigger_secret_rotated", "routine_trigger", trigger.id,
                           now, {"routineId": routine.id}))
    try:
        tx.commit()
    except TransactionConflict:  # deleted, or its signing mode changed, meanwhile
        find_again = routine_lookup.find_trigger(trigger.id)
        raise Conflict("The trigger changed meanwhile; retry the rotation", {"signingMode": find_again.signing_mode})
    return trigger, _secret_material(trigger, secret)


def set_secret(trigger: RoutineTrigger, secret: str, now: datetime, tx: Transaction | None = None,
               condition: Any = None) -> None:
    """Seal `secret` into the trigger (rotation; tests use it to install a known test-vector secret)."""
    stamp = iso(now)
    envelope = webhook_secrets.seal(secret, trigger.id)
    own = tx is None
    tx = tx or Transaction()
    guard = RoutineTrigger.id.exists() if condition is None else RoutineTrigger.id.exists() & condition
    tx.update(RoutineTrigger(id=trigger.id), actions=[RoutineTrigger.secret_envelope.set(envelope),
                                                     RoutineTrigger.last_rotated_at.set(stamp),
                                                     RoutineTrigger.updated_at.set(stamp)],
              condition=guard, tag="trigger")
    trigger.secret_envelope, trigger.last_rotated_at, trigger.updated_at = envelope, stamp, stamp
    if own:
        tx.commit()


def preview(principal: Principal, trigger_id: str, count_raw: str | None, now: datetime) -> dict[str, Any]:
    trigger = routine_lookup.find_trigger(trigger_id)
    routine_lookup.get_visible(principal, trigger.routine_id)
    try:
        count = 5 if count_raw in (None, "") else int(count_raw)
    except ValueError:
        raise BadRequest("count must be an integer", {"count": count_raw})
    if not 1 <= count <= 50:
        raise BadRequest("count must be between 1 and 50", {"count": count_raw})
    if trigger.kind != "schedule":
        raise Unprocessable("Only schedule triggers have fire times", {"kind": trigger.kind})
    times = cron_schedule.preview(trigger.cron_expression, trigger.timezone or "UTC", now, count)
    return {"triggerId": trigger.id, "times": [iso(t) for t in times]}
