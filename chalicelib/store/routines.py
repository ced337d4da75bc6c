"""Routines, their triggers and their runs (SPEC §5–6).

Why these shapes:
- `Routine.live_issue_id` / `live_run_id` are the "one live execution issue" slot: dispatch claims it
  with `attribute_not_exists(live_issue_id)` in the same transaction that creates the issue, and the
  issue's move to done/cancelled clears it with `live_issue_id == <that issue>`. No read-then-write.
- `RoutineTrigger.due_shard` is set only while the trigger can fire (enabled schedule trigger of an
  active routine), so the "due" index is sparse: the scheduler reads only triggers that can fire.
- Webhook secrets live on the trigger item only as a KMS envelope (`secret_envelope`), never plain.
"""
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta


class RoutinesByCompany(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    updated_key = UnicodeAttribute(range_key=True)  # "{updatedAt}#{id}": newest update first


class Routine(BaseModel):
    Meta = meta("routines")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    goal_id = UnicodeAttribute(null=True)
    parent_issue_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    assignee_agent_id = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(default="medium")
    status = UnicodeAttribute(default="active")
    concurrency_policy = UnicodeAttribute(default="coalesce_if_active")
    catch_up_policy = UnicodeAttribute(default="skip_missed")
    variables = JSONAttribute(null=True)
    # Upstream fields without behaviour here, stored and returned as given (validators.md §6.1).
    activity_gate_policy = UnicodeAttribute(null=True)
    activity_gate_scope = UnicodeAttribute(null=True)
    env = JSONAttribute(null=True)
    folder_id = UnicodeAttribute(null=True)
    live_issue_id = UnicodeAttribute(null=True)
    live_run_id = UnicodeAttribute(null=True)
    last_run_id = UnicodeAttribute(null=True)
    last_triggered_at = UnicodeAttribute(null=True)
    # The routine's trigger ids (ADD/DELETE in the trigger's own transaction), so the routines list and
    # detail read triggers with one BatchGetItem per 100 instead of a Query per routine or per company
    # (issue 11). `trigger_ids_kept` tells "no triggers" (an absent set: DynamoDB stores no empty set)
    # from a routine written before the set existed, whose triggers are found by the by-routine index.
    trigger_ids = UnicodeSetAttribute(null=True)
    trigger_ids_kept = BooleanAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    updated_key = UnicodeAttribute()

    by_company = RoutinesByCompany()


class TriggersByRoutine(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-routine"
        projection = AllProjection()

    routine_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class TriggersByCompany(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class TriggersByPublicId(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-public-id"
        projection = AllProjection()

    public_id = UnicodeAttribute(hash_key=True)


class DueTriggers(GlobalSecondaryIndex):
    """Sparse: only triggers that can fire carry `due_shard`."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    next_run_at = UnicodeAttribute(range_key=True)


class RoutineTrigger(BaseModel):
    Meta = meta("routine-triggers")

    id = UnicodeAttribute(hash_key=True)
    routine_id = UnicodeAttribute()
    company_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # schedule | webhook | api
    label = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)
    cron_expression = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute(null=True)
    next_run_at = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    last_fired_at = UnicodeAttribute(null=True)
    last_result = UnicodeAttribute(null=True)
    public_id = UnicodeAttribute(null=True)
    signing_mode = UnicodeAttribute(null=True)
    replay_window_sec = NumberAttribute(null=True)
    secret_envelope = JSONAttribute(null=True)  # KMS envelope: never the plaintext secret
    last_rotated_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_routine = TriggersByRoutine()
    by_company = TriggersByCompany()
    by_public_id = TriggersByPublicId()
    due = DueTriggers()


class RunsByRoutine(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-routine"
        projection = AllProjection()

    routine_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)  # "{createdAt}#{id}"


class RoutineRun(BaseModel):
    Meta = meta("routine-runs")

    id = UnicodeAttribute(hash_key=True)
    routine_id = UnicodeAttribute()
    company_id = UnicodeAttribute()
    status = UnicodeAttribute()
    source = UnicodeAttribute()
    trigger_id = UnicodeAttribute(null=True)
    trigger_payload = JSONAttribute(null=True)
    variables = JSONAttribute(null=True)
    idempotency_key = UnicodeAttribute(null=True)
    linked_issue_id = UnicodeAttribute(null=True)
    coalesced_into_run_id = UnicodeAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    scheduled_for = UnicodeAttribute(null=True)
    project_id = UnicodeAttribute(null=True)
    assignee_agent_id = UnicodeAttribute(null=True)
    execution_workspace_id = UnicodeAttribute(null=True)
    execution_workspace_preference = UnicodeAttribute(null=True)
    execution_workspace_settings = JSONAttribute(null=True)
    triggered_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    created_key = UnicodeAttribute()

    by_routine = RunsByRoutine()
