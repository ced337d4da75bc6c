"""The JSON of heartbeat runs, as upstream's clients read it (validators.md §7 HeartbeatRun, §9.11).

Upstream's run carries its context in `contextSnapshot` and says why it exists in `invocationSource`
and `triggerDetail`; ours derive them from the run's wakeups (the first one decides; a run started by
invoke without a wakeup is `on_demand` / `manual`). We keep no run logs or output: `logBytes` and the
excerpts are null, and a run's events are its status changes (`heartbeat.run.status`).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.services.runtime import agent_fields
from chalicelib.services.runtime.heartbeats import effective_status, internal_source
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun

# stored wakeup keys that are not shown as they are
_HIDDEN_WAKEUP_KEYS = ("payloadJson",)
# wakeup keys that also describe the run in contextSnapshot (first wakeup carrying each one wins)
_CONTEXT_KEYS = ("issueId", "commentId", "routineRunId", "forceFreshSession")


def wakeups(run: HeartbeatRun) -> list[dict[str, Any]]:
    out = []
    for raw in run.wakeups or []:
        stored = dict(raw)
        wakeup = {k: v for k, v in stored.items() if k not in _HIDDEN_WAKEUP_KEYS}
        wakeup.setdefault("source", internal_source(stored.get("reason", "")))
        wakeup.setdefault("triggerDetail", "system")
        if "payloadJson" in stored:
            wakeup["payload"] = json.loads(stored["payloadJson"])
        out.append(wakeup)
    return out


def _first(run_wakeups: list[dict[str, Any]]) -> dict[str, Any] | None:
    return run_wakeups[0] if run_wakeups else None


def context_snapshot(run: HeartbeatRun, run_wakeups: list[dict[str, Any]]) -> dict[str, Any]:
    """upstream `contextSnapshot`: the first payload's keys, then the wakeups' context."""
    first = _first(run_wakeups)
    snapshot: dict[str, Any] = dict(next((w["payload"] for w in run_wakeups if isinstance(w.get("payload"), dict)), {}))
    for key in _CONTEXT_KEYS:
        value = next((w[key] for w in run_wakeups if w.get(key)), None)
        if value is not None:
            snapshot[key] = value
    if run.issue_id:
        snapshot["issueId"] = run.issue_id
    if snapshot.get("commentId"):
        snapshot.setdefault("wakeCommentId", snapshot["commentId"])
    if first is not None:
        snapshot["wakeReason"] = first.get("reason")
        snapshot["wakeSource"] = first.get("source")
    return snapshot


def invocation(run_wakeups: list[dict[str, Any]]) -> tuple[str, str]:
    """(invocationSource, triggerDetail)."""
    first = _first(run_wakeups)
    if first is None:
        return "on_demand", "manual"
    return first["source"], first["triggerDetail"]


def updated_at(run: HeartbeatRun, run_wakeups: list[dict[str, Any]]) -> str:
    stamps = [run.created_at, run.started_at, run.finished_at] + [w.get("at") for w in run_wakeups]
    return max(s for s in stamps if s)


def to_json(run: HeartbeatRun, now: datetime) -> dict[str, Any]:
    run_wakeups = wakeups(run)
    source, detail = invocation(run_wakeups)
    return {
        "id": run.id,
        "companyId": run.company_id,
        "agentId": run.agent_id,
        "status": effective_status(run, now),
        "invocationSource": source,
        "triggerDetail": detail,
        "contextSnapshot": context_snapshot(run, run_wakeups),
        "wakeups": run_wakeups,
        "retryOfRunId": run.retry_of_run_id,
        "resultJson": run.result_json,
        "logBytes": None,
        "stdoutExcerpt": None,
        "stderrExcerpt": None,
        "errorCode": None,
        "createdAt": run.created_at,
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
        "expiresAt": run.expires_at,
        "updatedAt": updated_at(run, run_wakeups),
        "error": run.error,
    }


def live_row(run: HeartbeatRun, agent: Agent | None, now: datetime) -> dict[str, Any]:
    """A row of GET /companies/{id}/live-runs, /issues/{id}/live-runs and /issues/{id}/active-run."""
    run_wakeups = wakeups(run)
    source, detail = invocation(run_wakeups)
    snapshot = context_snapshot(run, run_wakeups)
    return {
        "id": run.id,
        "companyId": run.company_id,
        "agentId": run.agent_id,
        "agentName": agent.name if agent else None,
        "adapterType": (agent.adapter_type or agent_fields.DEFAULT_ADAPTER_TYPE) if agent else None,
        "status": effective_status(run, now),
        "invocationSource": source,
        "triggerDetail": detail,
        "contextCommentId": snapshot.get("commentId"),
        "contextWakeCommentId": snapshot.get("wakeCommentId"),
        "issueId": snapshot.get("issueId"),
        "logBytes": None,
        "createdAt": run.created_at,
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
    }


def issue_row(run: HeartbeatRun, agent: Agent | None, now: datetime) -> dict[str, Any]:
    """A row of GET /issues/{id}/runs: upstream names the run `runId` there."""
    run_wakeups = wakeups(run)
    source, detail = invocation(run_wakeups)
    snapshot = context_snapshot(run, run_wakeups)
    return {
        "runId": run.id,
        "status": effective_status(run, now),
        "agentId": run.agent_id,
        "adapterType": (agent.adapter_type or agent_fields.DEFAULT_ADAPTER_TYPE) if agent else None,
        "invocationSource": source,
        "triggerDetail": detail,
        "contextIssueId": snapshot.get("issueId"),
        "contextCommentId": snapshot.get("commentId"),
        "wakeCommentId": snapshot.get("wakeCommentId"),
        "errorCode": None,
        "resultJson": run.result_json,
        "retryOfRunId": run.retry_of_run_id,
        "logBytes": None,
        "createdAt": run.created_at,
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
    }


def events(run: HeartbeatRun, now: datetime) -> list[dict[str, Any]]:
    """The run's status changes as upstream `heartbeat.run.status` events, `seq` 1, 2, …: queued when
    created, running when started, then its end. Events only ever append, so a client polling with
    `afterSeq` (the CLI's `heartbeat run`) sees each once."""
    status = effective_status(run, now)
    changes = [("queued", run.created_at)]
    if run.started_at:
        changes.append(("running", run.started_at))
    if status not in ("queued", "running"):
        changes.append((status, run.finished_at or run.expires_at or run.created_at))
    return [
        {
            "id": f"{run.id}:{seq}",
            "companyId": run.company_id,
            "runId": run.id,
            "agentId": run.agent_id,
            "seq": seq,
            "eventType": "heartbeat.run.status",
            "stream": "system",
            "level": "error" if value in ("failed", "timed_out") else "info",
            "color": None,
            "message": f"run {value}",
            "payload": {"status": value},
            "createdAt": at,
        }
        for seq, (value, at) in enumerate(changes, start=1)
    ]
