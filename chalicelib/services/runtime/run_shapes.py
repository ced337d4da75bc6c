"""The JSON of heartbeat runs, as upstream's clients read it (validators.md §7 HeartbeatRun, §9.11).

Upstream's run carries its context in `contextSnapshot` and says why it exists in `invocationSource`
and `triggerDetail`; ours derive them from the run's wakeups (the first one decides; a run started by
invoke without a wakeup is `on_demand` / `manual`), kept as a summary on the run item
(run_wakeups.py). `wakeups` (ours) embeds at most MAX_EMBEDDED_WAKEUPS of them, oldest first, in a
single run's response and only the first one in list rows; `wakeupCount` counts them all. We keep no
run logs or output: `logBytes` and the excerpts are null, and a run's events are its status changes
(`heartbeat.run.status`).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.services.runtime import agent_fields, run_wakeups
from chalicelib.services.runtime.heartbeats import effective_status, internal_source
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun

# stored wakeup keys that are not shown as they are
_HIDDEN_WAKEUP_KEYS = ("payloadJson",)


def shown_wakeup(raw: dict[str, Any]) -> dict[str, Any]:
    """A stored wakeup record as responses show it (the payload parsed back from its JSON text)."""
    stored = dict(raw)
    wakeup = {k: v for k, v in stored.items() if k not in _HIDDEN_WAKEUP_KEYS}
    wakeup.setdefault("source", internal_source(stored.get("reason", "")))
    wakeup.setdefault("triggerDetail", "system")
    if "payloadJson" in stored:
        wakeup["payload"] = json.loads(stored["payloadJson"])
    return wakeup


def first_wakeup(run: HeartbeatRun) -> dict[str, Any] | None:
    """The wakeup that decides why the run exists: a legacy run's first list entry, else the summary's."""
    if run.wakeups:
        return shown_wakeup(run.wakeups[0])
    return shown_wakeup(run.first_wakeup) if run.first_wakeup else None


def wakeups(run: HeartbeatRun, embedded: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The `wakeups` a response shows: `embedded` (stored records read by run_wakeups.embedded, for a
    single run's response) or, for list rows, only the first wakeup (no read per row)."""
    if embedded is not None:
        return [shown_wakeup(w) for w in embedded]
    first = first_wakeup(run)
    return [first] if first else []


def _first_payload(run: HeartbeatRun) -> dict[str, Any] | None:
    for raw in run.wakeups or []:
        if "payloadJson" in raw:
            payload = json.loads(raw["payloadJson"])
            if isinstance(payload, dict):
                return payload
    payload = json.loads(run.first_payload_json) if run.first_payload_json else None
    return payload if isinstance(payload, dict) else None


def _first_context(run: HeartbeatRun, key: str) -> Any:
    for raw in run.wakeups or []:
        if raw.get(key):
            return raw[key]
    return getattr(run, run_wakeups.CONTEXT_ATTRIBUTES[key].attr_name)


def context_snapshot(run: HeartbeatRun) -> dict[str, Any]:
    """upstream `contextSnapshot`: the first payload's keys, then the first value of each context key
    any wakeup carried (kept on the run item: no wakeup is read)."""
    first = first_wakeup(run)
    snapshot: dict[str, Any] = dict(_first_payload(run) or {})
    for key in run_wakeups.CONTEXT_ATTRIBUTES:
        value = _first_context(run, key)
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


def invocation(run: HeartbeatRun) -> tuple[str, str]:
    """(invocationSource, triggerDetail)."""
    first = first_wakeup(run)
    if first is None:
        return "on_demand", "manual"
    return first["source"], first["triggerDetail"]


def updated_at(run: HeartbeatRun) -> str:
    stamps = [run.created_at, run.started_at, run.finished_at, run.last_wakeup_at]
    stamps += [w.get("at") for w in run.wakeups or []]
    return max(s for s in stamps if s)


def to_json(run: HeartbeatRun, now: datetime, embedded: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A run. `embedded`: its wakeups as read for a single run's response (see `wakeups`); every
    response carries `wakeupCount`, all of the run's wakeups."""
    source, detail = invocation(run)
    return {
        "id": run.id,
        "companyId": run.company_id,
        "agentId": run.agent_id,
        "status": effective_status(run, now),
        "invocationSource": source,
        "triggerDetail": detail,
        "contextSnapshot": context_snapshot(run),
        "wakeups": wakeups(run, embedded),
        "wakeupCount": run_wakeups.count(run),
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
        "updatedAt": updated_at(run),
        "error": run.error,
    }


def detail_json(run: HeartbeatRun, now: datetime) -> dict[str, Any]:
    """A single run's response: its oldest MAX_EMBEDDED_WAKEUPS wakeups embedded (one Query)."""
    return to_json(run, now, run_wakeups.embedded(run))


def live_row(run: HeartbeatRun, agent: Agent | None, now: datetime) -> dict[str, Any]:
    """A row of GET /companies/{id}/live-runs, /issues/{id}/live-runs and /issues/{id}/active-run."""
    source, detail = invocation(run)
    snapshot = context_snapshot(run)
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
    source, detail = invocation(run)
    snapshot = context_snapshot(run)
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
