"""The scheduler's sparse "due" index (SPEC §7): which schedule triggers can fire, and when.

`due_shard` is set only while a trigger can fire (enabled, kind schedule, routine active with every
required variable defaulted) and removed otherwise, so the scheduler reads only triggers that can
fire. Routine and trigger writes bring the entries in line inside their own transactions.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from chalicelib.clock import iso
from chalicelib.config import settings
from chalicelib.logic import cron_schedule
from chalicelib.services.routines import routine_lookup
from chalicelib.store.routines import Routine, RoutineTrigger
from chalicelib.store.transactions import Transaction


def due_shard_for(trigger_id: str) -> str:
    digest = hashlib.sha256(trigger_id.encode("utf-8")).digest()
    return str(int.from_bytes(digest[:8], "big") % settings().scheduler_shards)


def can_fire(trigger: RoutineTrigger, routine: Routine) -> bool:
    return trigger.kind == "schedule" and bool(trigger.enabled) and routine_lookup.is_fireable(routine)


def next_run(trigger: RoutineTrigger, now: datetime) -> str | None:
    try:
        return iso(cron_schedule.next_fire_after(trigger.cron_expression, trigger.timezone or "UTC", now))
    except (cron_schedule.CronError, cron_schedule.TimezoneError):
        return None  # stored data that no longer parses never fires


def apply_index(trigger: RoutineTrigger, routine: Routine) -> None:
    trigger.due_shard = due_shard_for(trigger.id) if can_fire(trigger, routine) and trigger.next_run_at else None


def add_due_index_ops(tx: Transaction, routine: Routine, resumed: bool, now: datetime) -> None:
    """After a routine change, bring its schedule triggers' index entries in line (same transaction).

    Resuming recomputes nextRunAt from now: nothing is "missed" while a routine is paused. Only what
    changes is written: `next_run_at` only when recomputed (the trigger was out of the index, so no
    tick is advancing it), never a copy of what was read, which would undo a tick's advance (issue #10).
    """
    for trigger in routine_lookup.triggers_of(routine):
        if trigger.kind != "schedule":
            continue
        before = (trigger.due_shard, trigger.next_run_at)
        if resumed and trigger.enabled:
            trigger.next_run_at = next_run(trigger, now)
        apply_index(trigger, routine)
        actions = []
        if trigger.next_run_at != before[1]:
            actions.append(RoutineTrigger.next_run_at.set(trigger.next_run_at) if trigger.next_run_at
                           else RoutineTrigger.next_run_at.remove())
        if trigger.due_shard != before[0]:
            actions.append(RoutineTrigger.due_shard.set(trigger.due_shard) if trigger.due_shard
                           else RoutineTrigger.due_shard.remove())
        if actions:
            tx.update(RoutineTrigger(id=trigger.id), actions=actions + [RoutineTrigger.updated_at.set(iso(now))],
                      condition=RoutineTrigger.id.exists(), tag="trigger")
