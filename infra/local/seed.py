"""Local only: copy a routine and its triggers N times straight into the tables.

Large tests and the scheduler benchmark need thousands of scheduled routines; creating each through
the API costs ~10 requests. Instead one routine is created through the API (so its items are exactly
what the service writes) and cloned here with fresh ids, 25 items per BatchWriteItem.
"""
from __future__ import annotations

from chalicelib.ids import new_id
from chalicelib.services.routines import due_index, routine_lookup
from chalicelib.store.routines import Routine, RoutineTrigger


def clone_routine(template_id: str, copies: int) -> list[str]:
    """Write `copies` clones of the routine and its triggers; returns the new routine ids."""
    template = Routine.get(template_id, consistent_read=True)
    triggers = routine_lookup.triggers_of(template)
    created: list[str] = []
    with Routine.batch_write() as routine_batch, RoutineTrigger.batch_write() as trigger_batch:
        for _ in range(copies):
            routine = Routine.from_raw_data(template.serialize())
            routine.id = new_id()
            routine.updated_key = routine_lookup.updated_key(routine.updated_at, routine.id)
            clones = []
            for template_trigger in triggers:
                trigger = RoutineTrigger.from_raw_data(template_trigger.serialize())
                trigger.id, trigger.routine_id = new_id(), routine.id
                if trigger.due_shard is not None:
                    trigger.due_shard = due_index.due_shard_for(trigger.id)
                clones.append(trigger)
            routine.trigger_ids = {t.id for t in clones} or None
            routine_batch.save(routine)
            for trigger in clones:
                trigger_batch.save(trigger)
            created.append(routine.id)
    return created
