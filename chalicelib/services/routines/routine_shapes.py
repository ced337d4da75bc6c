"""The JSON shapes of routines, triggers, runs and their linked issues (SPEC §5–6).

Shared by the routine, trigger and dispatch services and the routes; imports nothing of them.
"""
from __future__ import annotations

from typing import Any

from chalicelib.store.issues import Issue
from chalicelib.store.routines import Routine, RoutineRun, RoutineTrigger


def routine_json(routine: Routine) -> dict[str, Any]:
    return {
        "id": routine.id,
        "companyId": routine.company_id,
        "projectId": routine.project_id,
        "goalId": routine.goal_id,
        "parentIssueId": routine.parent_issue_id,
        "title": routine.title,
        "description": routine.description,
        "assigneeAgentId": routine.assignee_agent_id,
        "priority": routine.priority,
        "status": routine.status,
        "concurrencyPolicy": routine.concurrency_policy,
        "catchUpPolicy": routine.catch_up_policy,
        "variables": routine.variables or [],
        "activityGatePolicy": routine.activity_gate_policy,
        "activityGateScope": routine.activity_gate_scope,
        "env": routine.env,
        "folderId": routine.folder_id,
        "lastTriggeredAt": routine.last_triggered_at,
        "createdAt": routine.created_at,
        "updatedAt": routine.updated_at,
    }


def trigger_summary_json(trigger: RoutineTrigger) -> dict[str, Any]:
    return {
        "id": trigger.id, "kind": trigger.kind, "label": trigger.label, "enabled": bool(trigger.enabled),
        "cronExpression": trigger.cron_expression, "timezone": trigger.timezone, "nextRunAt": trigger.next_run_at,
        "lastFiredAt": trigger.last_fired_at, "lastResult": trigger.last_result,
    }


def trigger_json(trigger: RoutineTrigger) -> dict[str, Any]:
    return {
        **trigger_summary_json(trigger),
        "routineId": trigger.routine_id,
        "companyId": trigger.company_id,
        "publicId": trigger.public_id,
        "signingMode": trigger.signing_mode,
        "replayWindowSec": int(trigger.replay_window_sec) if trigger.replay_window_sec is not None else None,
        "lastRotatedAt": trigger.last_rotated_at,
        "createdAt": trigger.created_at,
        "updatedAt": trigger.updated_at,
    }


def run_json(run: RoutineRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "routineId": run.routine_id,
        "companyId": run.company_id,
        "status": run.status,
        "source": run.source,
        "triggerId": run.trigger_id,
        "triggerPayload": run.trigger_payload,
        "variables": run.variables,
        "idempotencyKey": run.idempotency_key,
        "linkedIssueId": run.linked_issue_id,
        "coalescedIntoRunId": run.coalesced_into_run_id,
        "failureReason": run.failure_reason,
        "scheduledFor": run.scheduled_for,
        "projectId": run.project_id,
        "assigneeAgentId": run.assignee_agent_id,
        "executionWorkspaceId": run.execution_workspace_id,
        "executionWorkspacePreference": run.execution_workspace_preference,
        "executionWorkspaceSettings": run.execution_workspace_settings,
        "triggeredAt": run.triggered_at,
        "completedAt": run.completed_at,
        "createdAt": run.created_at,
    }


def issue_summary_json(issue: Issue) -> dict[str, Any]:
    return {"id": issue.id, "identifier": issue.identifier, "title": issue.title, "status": issue.status,
            "priority": issue.priority, "updatedAt": issue.updated_at}


def issue_full_json(issue: Issue) -> dict[str, Any]:
    return {
        **issue_summary_json(issue),
        "companyId": issue.company_id, "description": issue.description,
        "assigneeAgentId": issue.assignee_agent_id, "checkoutRunId": issue.checkout_run_id,
        "projectId": issue.project_id, "goalId": issue.goal_id, "parentId": issue.parent_id,
        "billingCode": issue.billing_code, "originKind": issue.origin_kind, "originId": issue.origin_id,
        "originRunId": issue.origin_run_id, "startedAt": issue.started_at, "completedAt": issue.completed_at,
        "cancelledAt": issue.cancelled_at, "createdAt": issue.created_at,
    }
